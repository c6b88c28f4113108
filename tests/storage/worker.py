"""A second process for the storage tests: waits for "go" on stdin, does one job, prints JSON.

python worker.py migrate URL            -> {"line": "..."}
python worker.py first_time URL N SEED  -> {"won": [event ids this process may answer]}
"""

from __future__ import annotations

import json
import random
import sys

from bot.storage import open_storage, run_migrations

SECRET = "test-user-hash-secret-0123456789"


def main() -> None:
    job, url = sys.argv[1], sys.argv[2]
    if job == "first_time":
        storage = open_storage(url, env={"IL2BOT_USER_HASH_SECRET": SECRET}, migrate=False, start_writer=False)
    print("ready", flush=True)
    sys.stdin.readline()
    if job == "migrate":
        print(json.dumps({"line": run_migrations(url).line()}), flush=True)
        return
    n, seed = int(sys.argv[3]), int(sys.argv[4])
    events = list(range(n))
    random.Random(seed).shuffle(events)
    won = [e for e in events if storage.first_time([f"Ev{e:05d}", f"C0001:{1700000000 + e}.000100"])]
    storage.close()
    print(json.dumps({"won": won, "fallbacks": storage.fallbacks}), flush=True)


if __name__ == "__main__":
    main()
