"""E-mail: a Letter as a MIME message, and an SMTP session that sends only over STARTTLS.

Credentials come from the environment (NQ28_SMTP_USER, NQ28_SMTP_PASSWORD),
never from a file, and are never written anywhere. The session refuses a
server that does not offer STARTTLS, and verifies its certificate (against
the system's CAs, or a private CA named in distribution.yaml), before it
says anything that matters: no password and no document crosses the network
in plain text. Failures come back in Vietnamese, per address where the
server refused one address, per message otherwise.

Each letter runs under a deadline (smtp.deadline) as well as the per-read
timeout (smtp.timeout): a watchdog shuts the connection when the letter's
time is up, so a server that answers one byte at a time cannot hold a run.
A timeout names the step it happened in. The session sends DATA itself, so
it can tell a failure before the final dot (the message was certainly not
accepted: `MailError`, `MessageRefused`) from one after it (the server may
have accepted it: `Uncertain`), and calls back just before DATA so the
caller can journal "đang gửi" first.

The package, by role: `session` (the SMTP connection, its deadline and its
watchdog), `letters` (a Letter as a MIME message), `login` (the credentials
from the environment, and AUTH beyond ASCII) and `errors` (what can go wrong,
and the Vietnamese words for it).
"""
