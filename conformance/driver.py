"""Drives one stock bot through the conformance steps against a fresh novera-sim.

Starts `novera-sim` (the binary cargo built), starts the bot with the simulator's base URL and
token, then acts only through the simulator's control API (`/_sim`): its users post messages
and run commands, its faults break the connection, its state tells what the bot did. Prints
one line per step and `LIBRARY: N passed, N failed`; exits 1 when a step failed.

Python's standard library only, so it runs before (and without) any package is installed.
Every wait is bounded; the bot and the simulator are stopped on every way out.

Usage: driver.py --library NAME --sim PATH --log DIR -- BOT_COMMAND...
"""

import argparse
import ctypes
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time

TOKEN = "conformance-token"
GUILDS = 3
BURST = 200
BURST_RATE = 100  # interactions per second
LOAD = 5000
INTERACTION_WINDOW_MS = 3000

# Generous bounds for a loaded two-core CI machine; a healthy run takes a fraction of each.
STARTUP_TIMEOUT = 90.0
REPLY_TIMEOUT = 20.0
RECONNECT_TIMEOUT = 45.0
LOAD_TIMEOUT = 120.0


# What a bot's log shows when the library hit an error it survived (discord.py logs handler
# exceptions at ERROR and goes on), after ANSI colours are stripped.
ERROR_LINE = re.compile(r"\bERROR\b|Traceback \(most recent call last\)|^\s*\w*Error\b|Unhandled")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class StepFailed(Exception):
    """A step's check did not hold; the message says what was seen."""


def die_with_parent():
    """Run in each child before exec: SIGTERM it when the driver dies, however it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


class Control:
    """A keep-alive JSON client for the simulator's control API."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.conn = None

    def call(self, method, path, body=None):
        payload = None if body is None else json.dumps(body)
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=15)
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                resp = self.conn.getresponse()
                text = resp.read().decode()
                break
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        if resp.status >= 400:
            raise StepFailed(f"{method} {path} -> {resp.status}: {text}")
        return json.loads(text) if text else None

    def state(self):
        return self.call("GET", "/_sim/state")


def wait_for(what, timeout, check, interval=0.05, alive=None):
    """Polls `check` until it returns a truthy value; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if alive is not None and not alive():
            raise StepFailed(f"the bot exited while waiting for {what}")
        if time.monotonic() > deadline:
            raise StepFailed(f"no {what} within {timeout:.0f} s")
        time.sleep(interval)


class Run:
    def __init__(self, library, control, bot, bot_log_path):
        self.library = library
        self.control = control
        self.bot = bot
        self.bot_log_path = bot_log_path
        self.bot_log_offset = 0
        state = control.state()
        self.guilds = sorted(g["id"] for g in state["guilds"])
        self.channel = state["guilds"][0]["channels"][0]
        self.bot_user = state["bot_user_id"]
        self.passed = 0
        self.failed = 0

    def alive(self):
        return self.bot.poll() is None

    def bot_trouble(self):
        """Why the bot is not well since the last step (exited, or logged an error), or None."""
        with open(self.bot_log_path, encoding="utf-8", errors="replace") as log:
            log.seek(self.bot_log_offset)
            new = log.read()
            self.bot_log_offset = log.tell()
        for line in new.splitlines():
            line = ANSI.sub("", line).strip()
            if ERROR_LINE.search(line):
                return f"the bot logged {line!r}"
        if not self.alive():
            return f"the bot exited with code {self.bot.returncode}"
        return None

    def step(self, name, action):
        started = time.monotonic()
        try:
            detail = action()
            ok = True
        except StepFailed as failure:
            detail, ok = str(failure), False
        except Exception as error:  # a step that breaks is a failed step, not a lost run
            detail, ok = f"{type(error).__name__}: {error}", False
        # A step passes only if the bot came through it well: a reply the simulator recorded
        # is not enough when the library choked on the answer.
        trouble = self.bot_trouble()
        if trouble:
            detail, ok = f"{detail}; {trouble}" if ok else f"{detail} ({trouble})", False
        took = time.monotonic() - started
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        verdict = "ok  " if ok else "FAIL"
        print(f"{self.library:<11} {verdict} {name}: {detail} ({took:.1f} s)", flush=True)

    # Observations through the simulator.

    def live_session(self, state):
        for session in state["sessions"]:
            if session["connected"] and session["alive"]:
                return session
        return None

    def reply(self, trigger_id, prefix, timeout=REPLY_TIMEOUT):
        """The bot's first message after `trigger_id` in the channel that starts with `prefix`."""
        def find():
            for msg in self.control.call("GET", f"/_sim/channels/{self.channel}/messages"):
                if (
                    int(msg["id"]) > int(trigger_id)
                    and msg["author"]["id"] == self.bot_user
                    and msg["content"].startswith(prefix)
                ):
                    return msg["content"]
            return None

        return wait_for(f"reply starting {prefix!r}", timeout, find, 0.1, self.alive)

    def say(self, content):
        """A user posts `content` in the channel; returns the message's id."""
        created = self.control.call(
            "POST", "/_sim/messages", {"channel_id": self.channel, "content": content}
        )
        return created["id"]

    def run_ping(self):
        return self.control.call("POST", "/_sim/interactions", {"name": "ping"})

    def interaction(self, created):
        return self.control.call("GET", f"/_sim/interactions/{created['id']}")

    def answered(self, status):
        """Why an interaction's status is not a timely "pong", or None when it is."""
        if not status["responded"]:
            return "not answered"
        if status.get("error"):
            return f"error {status['error']}"
        if status["response_type"] != 4 or status["content"] != "pong":
            return f"answered {status['response_type']} {status['content']!r}"
        if status["response_ms"] > INTERACTION_WINDOW_MS:
            return f"answered after {status['response_ms']} ms"
        return None

    def slash_ping(self):
        created = self.run_ping()
        status = wait_for(
            "answer to /ping",
            REPLY_TIMEOUT,
            lambda: (s := self.interaction(created))["responded"] and s,
            0.02,
            self.alive,
        )
        problem = self.answered(status)
        if problem:
            raise StepFailed(f"/ping {problem}")
        return status["response_ms"]

    # The steps.

    def ready(self):
        def connected():
            state = self.control.state()
            session = self.live_session(state)
            return session is not None and session["seq"] >= 1 + len(self.guilds) and state

        state = wait_for("READY and GUILD_CREATEs", STARTUP_TIMEOUT, connected, 0.2, self.alive)
        answer = self.reply(self.say("!guilds"), "guilds ")
        seen = sorted(filter(None, answer.removeprefix("guilds ").split(",")))
        if seen != self.guilds:
            raise StepFailed(f"the bot has guilds {seen}, the simulator {self.guilds}")
        if state["identifies"] != 1:
            raise StepFailed(f"{state['identifies']} IDENTIFYs to connect")
        return f"READY and {len(seen)} of {len(self.guilds)} GUILD_CREATEs, 1 IDENTIFY"

    def registered(self):
        def ping_command():
            commands = self.control.state()["commands"]
            return [c for c in commands if c["name"] == "ping" and not c.get("guild_id")]

        commands = wait_for("global /ping", STARTUP_TIMEOUT, ping_command, 0.2, self.alive)
        return f"global /ping registered (type {commands[0].get('type', 1)})"

    def slash(self):
        return f"/ping answered \"pong\" through the callback in {self.slash_ping()} ms"

    def prefix(self):
        self.reply(self.say("!ping"), "pong")
        return "!ping answered \"pong\" with a channel message"

    def fault_then(self, fault, expect_resume):
        before = self.control.state()
        old = self.live_session(before)
        applied = self.control.call("POST", "/_sim/faults", fault)["applied"]
        if applied != 1:
            raise StepFailed(f"the fault reached {applied} connections")

        def recovered():
            state = self.control.state()
            session = self.live_session(state)
            if session is None:
                return None
            if expect_resume and state["resumes"] > before["resumes"]:
                return state
            if (
                not expect_resume
                and state["identifies"] > before["identifies"]
                and session["id"] != old["id"]
                and session["seq"] >= 1 + len(self.guilds)
            ):
                return state
            return None

        state = wait_for(
            "RESUME" if expect_resume else "fresh IDENTIFY", RECONNECT_TIMEOUT, recovered, 0.05, self.alive
        )
        resumes = state["resumes"] - before["resumes"]
        identifies = state["identifies"] - before["identifies"]
        if expect_resume and identifies:
            raise StepFailed(f"{identifies} IDENTIFY besides the RESUME")
        if not expect_resume and resumes:
            raise StepFailed(f"{resumes} RESUME besides the IDENTIFY")
        kind = "RESUME" if expect_resume else "fresh IDENTIFY"
        return f"ended in a {kind}; /ping answered after it in {self.slash_ping()} ms"

    def burst(self):
        created = []
        start = time.monotonic()
        for i in range(BURST):
            pause = start + i / BURST_RATE - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            created.append(self.run_ping())
        sent_in = time.monotonic() - start
        last_sent = time.monotonic()

        def statuses():
            all_of = [self.interaction(c) for c in created]
            if all(s["responded"] for s in all_of):
                return all_of
            if time.monotonic() - last_sent > INTERACTION_WINDOW_MS / 1000 + 5:
                return all_of  # judged below: whatever is unanswered by now is late
            return None

        result = wait_for("answers to the burst", REPLY_TIMEOUT + 10, statuses, 0.25, self.alive)
        problems = [p for p in (self.answered(s) for s in result) if p]
        answered = [s["response_ms"] for s in result if s["responded"]]
        slowest = max(answered) if answered else 0
        summary = (
            f"{BURST - len(problems)} of {BURST} /ping sent in {sent_in:.1f} s "
            f"answered within 3 s (slowest {slowest} ms)"
        )
        if problems:
            raise StepFailed(f"{summary}; first problem: {problems[0]}")
        return summary

    def load(self):
        started = self.control.call(
            "POST", "/_sim/load", {"kind": "messages", "count": LOAD, "channel_id": self.channel}
        )
        # The question comes after the load on the same connection, so its answer counts
        # every load message the bot received.
        answer = self.reply(self.say("!count"), "count ", LOAD_TIMEOUT)
        counted = int(answer.removeprefix("count "))
        if counted != LOAD:
            raise StepFailed(f"the bot counted {counted} of {LOAD} MESSAGE_CREATEs")
        return (
            f"{counted} of {LOAD} MESSAGE_CREATEs (seq {started['first_seq']}-"
            f"{started['last_seq']}) counted by the bot"
        )

    def violations(self):
        state = self.control.state()
        found = state["violations"]
        if found:
            listed = "; ".join(f"{v['rule']}: {v['detail']}" for v in found[:5])
            raise StepFailed(f"{len(found)} rule violations: {listed}")
        return "the simulator reports 0 rule violations for the whole run"


def start_sim(path, log):
    sim = subprocess.Popen(
        [
            path,
            "--listen", "127.0.0.1:0",
            "--guilds", str(GUILDS),
            "--token", TOKEN,
            # Heartbeats every 10 s instead of 41.25 s, so the run sees several.
            "--heartbeat-interval-ms", "10000",
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "info"), "NO_COLOR": "1"},
        preexec_fn=die_with_parent,
    )
    line = sim.stdout.readline().strip()
    prefix = "novera-sim listening on "
    if not line.startswith(prefix):
        sim.kill()
        raise SystemExit(f"novera-sim did not start (it printed {line!r})")
    return sim, line.removeprefix(prefix)


def stop(process, name):
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        print(f"{name} ignored SIGTERM for 10 s; killing it", flush=True)
        process.kill()
        process.wait(timeout=10)


def tail(path, lines=40):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return [ANSI.sub("", line) for line in f.readlines()[-lines:]]
    except OSError:
        return []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", required=True)
    parser.add_argument("--sim", required=True)
    parser.add_argument("--log", required=True, help="folder for the bot's and simulator's logs")
    parser.add_argument("bot", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    bot_command = args.bot[1:] if args.bot[:1] == ["--"] else args.bot
    # A SIGTERM (from `timeout`) unwinds through the finally below, which stops the children.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(124))

    os.makedirs(args.log, exist_ok=True)
    slug = args.library.replace(".", "")
    sim_log_path = os.path.join(args.log, f"{slug}-sim.log")
    bot_log_path = os.path.join(args.log, f"{slug}-bot.log")
    sim = bot = None
    with open(sim_log_path, "w") as sim_log, open(bot_log_path, "w") as bot_log:
        try:
            sim, base_url = start_sim(args.sim, sim_log)
            host, port = base_url.removeprefix("http://").rsplit(":", 1)
            control = Control(host, int(port))
            bot = subprocess.Popen(
                [*bot_command, base_url, TOKEN],
                stdout=bot_log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"},
                preexec_fn=die_with_parent,
            )
            run = Run(args.library, control, bot, bot_log_path)
            run.step("ready", run.ready)
            run.step("register", run.registered)
            run.step("slash", run.slash)
            run.step("prefix", run.prefix)
            run.step("op 7", lambda: run.fault_then({"kind": "reconnect"}, True))
            run.step("tcp drop", lambda: run.fault_then({"kind": "drop"}, True))
            run.step(
                "op 9 resumable",
                lambda: run.fault_then({"kind": "invalid_session", "resumable": True}, True),
            )
            run.step(
                "op 9 not resumable",
                lambda: run.fault_then({"kind": "invalid_session", "resumable": False}, False),
            )
            run.step("burst", run.burst)
            run.step("load", run.load)
            run.step("violations", run.violations)
        finally:
            stop(bot, args.library)
            stop(sim, "novera-sim")
    if run.failed:
        print(f"--- last lines of {bot_log_path}:", flush=True)
        sys.stdout.writelines(tail(bot_log_path))
        print(f"--- last lines of {sim_log_path}:", flush=True)
        sys.stdout.writelines(tail(sim_log_path))
    print(f"{args.library}: {run.passed} passed, {run.failed} failed", flush=True)
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
