"""Email for subscribers: each new update as a plain-text and HTML message over SMTP.

A static page keeps no subscriber list, so Tidings sends to one list address (the company's
mailing list) from the environment; the SMTP server, its credentials and the address are
secrets (``url_env``: ``smtp://user:password@host:587``, ``to_env``: the list). The
connection is always upgraded with STARTTLS and the server's certificate verified; a server
without STARTTLS gets nothing. The page stays the primary channel: every message links back.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from urllib.parse import unquote, urlsplit

from .config import SiteConfig
from .notices import Notice
from .payloads import facts, summary_line
from .posting import PostError, within
from .render import markdown_to_html, markdown_to_text

SUBMISSION_PORT = 587


def email_message(config: SiteConfig, notice: Notice, to: str) -> EmailMessage:
    """Title, status, message, affected components and the link, as text and as HTML."""
    message = EmailMessage()
    message["Subject"] = summary_line(notice)
    message["From"] = formataddr((config.name, config.feed_email))
    message["To"] = to
    message["Date"] = format_datetime(notice.at)
    # One id per update: a list server or mail client that sees it twice can drop the copy.
    domain = config.feed_authority.split(",")[0]
    message["Message-ID"] = f"<{notice.update_id}@{domain}>"
    lines = [f"{name}: {value}" for name, value in facts(config, notice)]
    message.set_content("\n".join([notice.title, "", *lines, "",
                                   markdown_to_text(notice.message), "",
                                   f"Follow this incident on the status page: {notice.url}",
                                   ""]))
    rows = "".join(f"<tr><th scope=\"row\" align=\"left\">{html.escape(name)}</th>"
                   f"<td>{html.escape(value)}</td></tr>" for name, value in facts(config, notice))
    message.add_alternative(
        f"<!DOCTYPE html><html><body><h1>{html.escape(notice.title)}</h1>"
        f"<table>{rows}</table>{markdown_to_html(notice.message)}"
        f'<p><a href="{html.escape(notice.url)}">Follow this incident on the status page</a>'
        "</p></body></html>", subtype="html")
    return message


def parse_smtp_url(url: str, env: str) -> tuple[str, int, str | None, str | None]:
    """Host, port, user and password from ``smtp://user:password@host:port``; errors name
    the variable, never its value."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port or SUBMISSION_PORT
    except ValueError:
        port = 0
    if parts.scheme != "smtp" or not parts.hostname or not port:
        raise PostError(f"{env} must be an SMTP URL such as smtp://user:password@host:587 "
                        "(STARTTLS is always used)", False)
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return parts.hostname, port, user, password


def send_email(smtp_url: str, env: str, message: EmailMessage, timeout: float) -> None:
    """Send ``message`` within ``timeout`` seconds in all, over STARTTLS; PostError on failure
    (retry for connection trouble and 4xx answers, not for refused credentials or 5xx)."""
    host, port, user, password = parse_smtp_url(smtp_url, env)

    def send() -> None:
        try:
            with smtplib.SMTP(host, port, timeout=timeout) as smtp:
                smtp.starttls(context=ssl.create_default_context())
                if user:
                    smtp.login(user, password or "")
                smtp.send_message(message)
        except smtplib.SMTPNotSupportedError:
            raise PostError("the SMTP server offers no STARTTLS; nothing is sent in clear "
                            "text", False) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise PostError(f"SMTP login refused ({exc.smtp_code})", False) from None
        except smtplib.SMTPResponseException as exc:
            raise PostError(f"SMTP {exc.smtp_code}", 400 <= exc.smtp_code < 500) from None
        except ssl.SSLCertVerificationError:
            raise PostError("the SMTP server's certificate is not trusted (for a private CA, "
                            "point SSL_CERT_FILE at its certificate)", False) from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            raise PostError(f"no answer ({type(exc).__name__})", True) from None

    within(timeout, send)
