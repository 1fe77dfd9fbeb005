#!/usr/bin/env bash
# Install the system packages the test suite needs and a fresh Debian machine lacks:
# Chromium for the browser tests, GNU gettext for the translation checks, Node for the
# test OpenID Connect provider, xmlsec1 for the tests' SAML identity provider
# (pysaml2 signs through that program) and Dovecot, the IMAP server whose mailbox
# `cercle mail-in --imap` polls in the tests (tests/imap_server.py).
# Does nothing when they are present; needs root (or sudo) and apt otherwise.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
# Node runs the test OpenID Connect provider (tests/idp/oidc, oidc-provider from npm).
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
command -v xmlsec1 >/dev/null 2>&1 || missing+=(xmlsec1)
# The tests start their own Dovecot in the foreground with a throwaway configuration;
# the package's system service is not needed (stop it if you like: it listens on 143).
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
# Python's venv module makes the virtualenv of the Matrix homeserver the bridge tests
# start (tests/matrix/, Synapse from PyPI: wheels, no compiler needed).
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get here: install ${missing[*]} with your system's package manager." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "Run as root or install sudo to install ${missing[*]}." >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
