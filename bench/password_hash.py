"""CPU cost of one password check for each candidate-password scheme (issue 19).

    .venv/bin/python bench/password_hash.py [--rounds 20]

Process CPU time (not wall time), so a busy machine disturbs the numbers less. Compares werkzeug's scrypt as
the platform used it (N=2^15, r=8, p=1), scrypt at OWASP's recommended strength (N=2^15, r=8, p=3 and
N=2^17, r=8, p=1) and argon2id at OWASP's recommended parameter sets (equal strength to each other).
"""
from __future__ import annotations

import argparse
import hashlib
import statistics
import time

from argon2 import PasswordHasher
from werkzeug.security import check_password_hash, generate_password_hash

PASSWORD = "Kaoshi-2027!"


def scrypt_check(n: int, r: int, p: int):
    salt = b"0123456789abcdef"
    return lambda: hashlib.scrypt(PASSWORD.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024)


def argon2_check(memory_kib: int, time_cost: int):
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
    stored = hasher.hash(PASSWORD)
    return lambda: hasher.verify(stored, PASSWORD)


def werkzeug_check():
    stored = generate_password_hash(PASSWORD, method="scrypt")
    return lambda: check_password_hash(stored, PASSWORD)


SCHEMES = {
    "werkzeug scrypt N=2^15 r=8 p=1 (before; below OWASP)": werkzeug_check(),
    "scrypt N=2^15 r=8 p=3 (OWASP)": scrypt_check(2 ** 15, 8, 3),
    "scrypt N=2^17 r=8 p=1 (OWASP)": scrypt_check(2 ** 17, 8, 1),
    "argon2id m=19 MiB t=2 p=1 (OWASP, used until 2026-12-05)": argon2_check(19 * 1024, 2),
    "argon2id m=46 MiB t=1 p=1 (OWASP)": argon2_check(46 * 1024, 1),
    "argon2id m=12 MiB t=3 p=1 (OWASP)": argon2_check(12 * 1024, 3),
    "argon2id m=9 MiB t=4 p=1 (OWASP)": argon2_check(9 * 1024, 4),
    "argon2id m=7 MiB t=5 p=1 (OWASP, chosen)": argon2_check(7 * 1024, 5),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    print(f"{'scheme':58} {'CPU ms median':>14} {'p90':>8}")
    for name, check in SCHEMES.items():
        check()  # warm
        costs = []
        for _ in range(rounds):
            start = time.process_time()
            check()
            costs.append((time.process_time() - start) * 1000)
        costs.sort()
        print(f"{name:58} {statistics.median(costs):14.1f} {costs[int(len(costs) * 0.9) - 1]:8.1f}")


if __name__ == "__main__":
    main()
