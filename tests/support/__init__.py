"""What every test suite (and the benchmarks) shares, written once:

``env``       the machine: the project folder, CI or not, PostgreSQL and Redis addresses, skip-or-fail when
              something is missing, free ports, open-file limits
``polling``   waiting for a condition, in threads and in asyncio
``hashing``   argon2 at its smallest cost, for seeding and logging in quickly
``pg``        a private PostgreSQL schema, and a fresh empty store in one
``database``  every row of every table, to show that something changed nothing; a hall of any size
              seeded at a URL, for a server process (and the benchmarks)
``apps``      the demo committee seeded once into a SQLite file, and apps on copies of it
``server``    ``python run.py`` in a process of its own: start, wait for /healthz, log in, read its log,
              stop, kill -9
``terminal``  what a terminal keeps: a snapshot and the pushes applied by the sequence rule of
              docs/protocol.md, and what it shows
``clients``   real Socket.IO clients of a server process (threads or asyncio) that keep a terminal's state
``rules``     what the rules engine says on its own: a result, random ballots it accepts
"""
