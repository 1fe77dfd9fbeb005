"""A real IMAP server for the tests: Dovecot, started in the foreground with a
throwaway configuration (one user, Maildir, plaintext log-in on loopback, no TLS) on a
free port, stopped at the end. `make test-deps` installs it (scripts/system-deps.sh).

Messages arrive in its mailbox by IMAP APPEND, as a mail server's delivery would leave
them.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient

from tests.smtp import free_port

USER = "cercle"
PASSWORD = "imap-test-password"
CANDIDATES = ("dovecot", "/usr/sbin/dovecot")


def dovecot_binary() -> str:
    for candidate in CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise AssertionError(
        "Dovecot is missing: the IMAP tests need a real IMAP server. Run `make test-deps` "
        "(it installs the dovecot-imapd package)."
    )


def _configuration(folder: Path, port: int, mail_user: str, service_users: tuple[str, str]) -> str:
    login_user, internal_user = service_users
    return f"""
base_dir = {folder}/run
state_dir = {folder}/state
instance_name = cercle-test-{port}
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
first_valid_gid = 1
mail_uid = {mail_user}
mail_gid = {mail_user}
mail_location = maildir:{folder}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {folder}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


class ImapServer:
    """Dovecot with one mailbox, `USER`/`PASSWORD`, on 127.0.0.1:`port`."""

    def __init__(self) -> None:
        self.binary = dovecot_binary()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="cercle-dovecot-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    def _users(self) -> tuple[str, tuple[str, str]]:
        """Dovecot never reads mail as root, nor logs people in as root: as root it
        uses its own users (the package makes them); as anyone else, that person."""
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.geteuid()).pw_name
            return me, (me, me)
        return "dovecot", ("dovenull", "dovecot")

    def start(self) -> None:
        mail_user, service_users = self._users()
        mail = self.folder / "mail"
        mail.mkdir()
        # The mail user reads its mailbox under our folder (made private by mkdtemp).
        self.folder.chmod(0o711)
        if os.geteuid() == 0:
            owner = pwd.getpwnam(mail_user)
            os.chown(mail, owner.pw_uid, owner.pw_gid)
        (self.folder / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::{mail}/{USER}\n")
        configuration = self.folder / "dovecot.conf"
        configuration.write_text(_configuration(self.folder, self.port, mail_user, service_users))
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(configuration)],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "dovecot.err").open("wb"),
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"Dovecot did not start:\n{self.log()}")
            try:
                with self.client():
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"Dovecot did not answer within 20 s:\n{self.log()}")

    def log(self) -> str:
        return "\n".join(
            path.read_text(errors="replace")
            for path in (self.folder / "dovecot.err", self.folder / "dovecot.log")
            if path.exists()
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ImapServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def client(self) -> IMAPClient:
        """A logged-in connection to the mailbox, INBOX selected."""
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        try:
            client.login(USER, PASSWORD)
            client.select_folder("INBOX")
        except BaseException:
            client.shutdown()
            raise
        return client

    def deliver(self, *messages: bytes) -> None:
        """Put messages in the mailbox, as the mail server's delivery would."""
        with self.client() as client:
            for message in messages:
                client.append("INBOX", message)

    def messages(self) -> list[bytes]:
        """The messages in the mailbox now, not flagged deleted."""
        with self.client() as client:
            uids = client.search(["NOT", "DELETED"])
            fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [bytes(fetched[uid][b"BODY[]"]) for uid in sorted(uids)]

    def empty(self) -> None:
        with self.client() as client:
            uids = client.search(["ALL"])
            if uids:
                client.delete_messages(uids)
                client.expunge()
