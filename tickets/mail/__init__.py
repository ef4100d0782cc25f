"""The e-mail channel: one ingest service behind two doors
(the MTA pipe command and the IMAP poll)."""
