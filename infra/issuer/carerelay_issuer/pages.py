"""The sign-in page: plain, accessible HTML with no script. Every value from the directory or the
request is escaped; the page's Content-Security-Policy forbids scripts as a second line of defence."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from .directory import Directory, User

ROLE_LABELS = {
    "hub-call-handler": "Hub call handler",
    "hub-clinician": "Hub clinician",
    "field-clinician": "Field clinician",
    "carer": "Carer",
    "coordinator": "Coordinator",
    "gp": "GP",
    "integrator": "Integrator",
    "auditor": "Auditor",
}

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; margin: 0; color: #212b32; background: #f0f4f5; line-height: 1.5; }
header { background: #005eb8; color: #fff; padding: 1rem 1.5rem; }
header p { margin: 0; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.75rem; margin: 0 0 .5rem; }
ul { list-style: none; padding: 0; margin: 0; }
li { margin: 0 0 .75rem; }
button { display: block; width: 100%; text-align: left; font: inherit; padding: .75rem 1rem; background: #fff;
  color: inherit; border: 2px solid #768692; border-radius: 4px; cursor: pointer; }
button:hover { border-color: #005eb8; }
button:focus { outline: 4px solid #ffeb3b; outline-offset: 0; border-color: #212b32; }
.name { display: block; font-weight: bold; font-size: 1.125rem; }
.detail { display: block; color: #4c6272; }
.notice { border-left: 6px solid #d5281b; background: #fff; padding: .75rem 1rem; margin: 0 0 1rem; }
""".strip()


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def _user_button(directory: Directory, user: User) -> str:
    org = directory.organisation(user.org)
    org_text = f"{org.name} ({org.code})" if org else user.org
    team = directory.team(user.team) if user.team else None
    team_text = f"{team.name} team, {team.base}" if team else (f"{user.team} team" if user.team else "No team")
    roles = ", ".join(role_label(role) for role in user.roles)
    return (
        f'<li><button type="submit" name="username" value="{escape(user.username)}">'
        f'<span class="name">{escape(user.name)}</span>'
        f'<span class="detail">Role: {escape(roles)}</span>'
        f'<span class="detail">Organisation: {escape(org_text)}</span>'
        f'<span class="detail">Team: {escape(team_text)}</span>'
        "</button></li>"
    )


def sign_in_page(
    directory: Directory, action: str, client_name: str, params: Mapping[str, str], notice: str | None = None
) -> str:
    """One form posting back to /authorize with the request's parameters; each person is a submit button."""
    hidden = "\n".join(f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in params.items())
    people = "\n".join(_user_button(directory, user) for user in directory.users)
    notice_html = f'<p class="notice" role="alert">{escape(notice)}</p>' if notice else ""
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - CareRelay development issuer</title>
<style>{_STYLE}</style>
</head>
<body>
<header><p>CareRelay development sign-in. Synthetic demo people only: no passwords.</p></header>
<main>
<h1>Choose who to sign in as</h1>
<p>Signing in to {escape(client_name)}.</p>
{notice_html}
<form method="post" action="{escape(action)}">
{hidden}
<ul aria-label="Demo people">
{people}
</ul>
</form>
</main>
</body>
</html>
"""


def error_page(title: str, detail: str) -> str:
    """Shown instead of redirecting when the client or redirect URI cannot be trusted (RFC 6749 §4.1.2.1)."""
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} - CareRelay development issuer</title>
<style>{_STYLE}</style>
</head>
<body>
<header><p>CareRelay development sign-in</p></header>
<main>
<h1>{escape(title)}</h1>
<p class="notice" role="alert">{escape(detail)}</p>
</main>
</body>
</html>
"""
