"""A newcomer's walk through a running HotelCRM, over real HTTP.

    python .ci/walk.py BASE_URL LOG_FILE [--wait SECONDS]

Waits for /healthz to be ok (database, Redis, worker and beat), checks the log-in page, logs in
as the front-desk user that `seed_demo` printed in LOG_FILE, searches for a guest and finds it,
then follows every link a front-desk user can reach from the home page (two clicks deep) and
fails on any 5xx. Prints the seconds from the first try to a healthy answer. Standard library
only, so it runs before anything is installed.
"""

import argparse
import http.cookiejar
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

SKIP = re.compile(
    r"^/(static|media|admin|api|i18n|accounts/logout|healthz)|/export|\.(csv|xlsx|json|png|svg|ico)$|logout"
)


def opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def fetch(open_, url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with open_.open(request, timeout=30) as response:
            return response.status, response.geturl(), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, url, error.read().decode("utf-8", "replace")


def wait_healthy(base, seconds):
    started, last = time.monotonic(), None
    while time.monotonic() - started < seconds:
        try:
            token = os.environ.get("HEALTHZ_TOKEN", "")
            request = urllib.request.Request(f"{base}/healthz", headers={"X-Health-Token": token} if token else {})
            with urllib.request.urlopen(request, timeout=5) as response:
                last = json.load(response)
            if last.get("status") == "ok" and last.get("beat", {}).get("status", "ok") == "ok":
                return time.monotonic() - started, last
        except Exception as exc:  # not up yet
            last = repr(exc)
        time.sleep(1)  # polling interval of a wait with a deadline
    sys.exit(f"not healthy after {seconds} s; last /healthz answer: {last}")


def front_desk_login(log_text):
    """The first Front desk row of the logins table seed_demo printed: (username, password)."""
    for line in log_text.splitlines():
        parts = line.split()
        if len(parts) >= 4 and "Front" in line and "desk" in line.lower():
            return parts[0], parts[1]
    sys.exit("seed_demo printed no front-desk login")


def csrf_token(html):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else None


def log_in(open_, base, username, password):
    status, _url, html = fetch(open_, f"{base}/accounts/login/")
    token = csrf_token(html)
    if status != 200 or not token:
        sys.exit(f"log-in page: HTTP {status}, CSRF token {'found' if token else 'missing'}")
    body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}).encode()
    status, url, html = fetch(open_, f"{base}/accounts/login/", body, {"Referer": f"{base}/accounts/login/"})
    if status >= 400 or "/accounts/login/" in url:
        sys.exit(f"could not log in as {username}: HTTP {status} at {url}")
    return html


def links(html):
    return {urllib.parse.urljoin("/", href.split("#")[0]) for href in re.findall(r'href="(/[^"]*)"', html)}


def search_finds_a_guest(open_, base):
    status, _url, html = fetch(open_, f"{base}/guests/")
    guests = re.findall(r'href="/guests/(\d+)/"[^>]*>\s*([^<]+?)\s*<', html)
    if status != 200 or not guests:
        sys.exit(f"the guest list shows no guest (HTTP {status})")
    guest_id, name = guests[0]
    query = name.split()[0][:4]
    status, _url, html = fetch(open_, f"{base}/guests/?{urllib.parse.urlencode({'q': query})}")
    if status != 200 or f"/guests/{guest_id}/" not in html:
        sys.exit(f"searching for {query!r} did not find guest {guest_id} ({name}): HTTP {status}")
    return query, guest_id


def walk(open_, base, start_html, limit=120):
    seen, queue, errors = set(), [(path, 1) for path in sorted(links(start_html))], []
    while queue and len(seen) < limit:
        path, depth = queue.pop(0)
        if path in seen or SKIP.search(path):
            continue
        seen.add(path)
        status, _url, html = fetch(open_, base + path)
        if status >= 500:
            errors.append(f"{path}: HTTP {status}")
        elif depth < 2:
            queue.extend((link, depth + 1) for link in sorted(links(html)) if link not in seen)
    return seen, errors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("log_file")
    parser.add_argument("--wait", type=int, default=300)
    args = parser.parse_args()
    base = args.base.rstrip("/")
    seconds, health = wait_healthy(base, args.wait)
    print(f"healthy after {seconds:.1f} s of waiting: {health}")
    username, password = front_desk_login(open(args.log_file, encoding="utf-8").read())
    open_, _jar = opener()
    home = log_in(open_, base, username, password)
    query, guest_id = search_finds_a_guest(open_, base)
    print(f"logged in as {username}; searching {query!r} finds guest {guest_id}")
    pages, errors = walk(open_, base, home)
    print(f"walked {len(pages)} pages as {username}")
    if errors:
        sys.exit("server errors:\n  " + "\n  ".join(errors))


if __name__ == "__main__":
    main()
