"""The local embedded provider: SQLite, an encrypted file and a process pool on one machine.

It is the default and the reference implementation of every port: the conformance kit's
expectations are what these adapters do.
"""
