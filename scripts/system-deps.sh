#!/usr/bin/env bash
# Installs the system packages the project needs, with apt-get, when they are missing:
# Pango (WeasyPrint's PDF rendering), fonts with full Vietnamese diacritics, gettext,
# Chromium for the browser tests.
set -euo pipefail
missing=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || missing+=(fonts-dejavu-core)
fc-list 2>/dev/null | grep -qi 'Noto Serif' || missing+=(fonts-noto-core)
command -v msgfmt >/dev/null || missing+=(gettext)
# The browser tests drive Debian's Chromium (a browser cannot be downloaded here).
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
