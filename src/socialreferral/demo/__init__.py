"""The ``socialreferral demo`` synthetic bank (:mod:`.bank`) and runner (:mod:`.runner`)."""
