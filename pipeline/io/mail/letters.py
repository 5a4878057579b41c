"""A Letter as a MIME message: Vietnamese subject and body, one attachment per document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import PurePosixPath

from pipeline.core.distribution.bundles import Letter
from pipeline.settings import Smtp

MIME_TYPES = {
    "pdf": ("application", "pdf"),
    "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def mime(letter: Letter, attachments: Mapping[str, bytes], smtp: Smtp, date: dt.datetime) -> EmailMessage:
    """The message: Vietnamese subject and body (encoded as MIME requires), one attachment per document."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = letter.subject
    message["From"] = Address(smtp.sender_name, addr_spec=smtp.sender)
    message["To"] = [Address(letter.recipient.name, addr_spec=a) for a in letter.addresses]
    message["Date"] = format_datetime(date)
    message["Message-ID"] = letter.message_id
    message.set_content(letter.body, charset="utf-8", cte="quoted-printable")
    for delivery in letter.deliveries:
        suffix = PurePosixPath(delivery.attachment).suffix[1:].lower()
        maintype, subtype = MIME_TYPES.get(suffix, ("application", "octet-stream"))
        message.add_attachment(attachments[delivery.attachment], maintype=maintype, subtype=subtype,
                               filename=delivery.attachment)
    return message
