#!/usr/bin/env bash
# Builds the Docker image the docker plugin's tests run builds in, miaobu-test/node:20, from this machine's own node,
# npm and busybox: there is no image registry to pull node:20-alpine from. Idempotent: an image made by this script
# from the same node and the same script is kept.
set -euo pipefail

image=miaobu-test/node:20
node_bin=$(command -v node)
busybox_bin=$(command -v busybox) || { echo "busybox is missing (apt-get install busybox-static)" >&2; exit 1; }
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")   # …/node_modules/npm
stamp="miaobu-test-image node=$("$node_bin" --version) npm=$(npm --version 2>/dev/null) script=$(sha256sum "$0" | cut -c1-12)"

if [ "$(docker image inspect -f '{{.Comment}}' "$image" 2>/dev/null || true)" = "$stamp" ]; then
  echo "$image is up to date ($stamp)"
  exit 0
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cd "$staging"
mkdir -p bin usr/bin usr/lib/node_modules etc tmp home/node
chmod 1777 tmp

# node and the shared libraries it links against (busybox-static needs none)
cp "$(readlink -f "$node_bin")" usr/bin/node
for lib in $(ldd "$node_bin" | grep -o '/[^ ]*' | sort -u); do
  mkdir -p ".$(dirname "$lib")"
  cp -L "$lib" ".$lib"
done

# npm as the node distribution ships it, linked from /usr/bin like on the host
cp -a "$npm_dir" usr/lib/node_modules/npm
ln -s ../lib/node_modules/npm/bin/npm-cli.js usr/bin/npm
ln -s ../lib/node_modules/npm/bin/npx-cli.js usr/bin/npx

# busybox: sh (npm runs scripts with it), env (npm's shebang), id, mkdir, cp, rm, cat, ls, ...
cp "$busybox_bin" bin/busybox
for applet in $("$busybox_bin" --list); do
  [ "$applet" = busybox ] || [ -e "bin/$applet" ] || ln -s busybox "bin/$applet"
done
ln -s /bin/busybox usr/bin/env

# a user for uid 1000 so that tools asking for a user name get one; builds may run as any uid
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n' >etc/passwd
printf 'root:x:0:\nnode:x:1000:\n' >etc/group
chown 1000:1000 home/node

tar -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV HOME=/home/node' \
  --change 'WORKDIR /' \
  --change 'CMD ["node"]' \
  -m "$stamp" - "$image" >/dev/null
echo "built $image ($stamp)"
