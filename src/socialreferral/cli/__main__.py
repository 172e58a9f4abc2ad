"""``python -m socialreferral.cli``: what batch emulators run when the console script is
not on ``PATH``."""

from socialreferral.cli import main

if __name__ == "__main__":
    main()
