# The Concurrency Models Lab in a container, for a laptop that is not a Debian 12 machine
# (README.md, "Any laptop: a container"): Debian 12 with everything `./lab setup` installs.
# The source is not in the image: mount your checkout at /lab, where the lab keeps its build/
# (binaries, the database cluster, the trace viewer's npm packages) and results/ as usual.
#
#   docker build -t concurrency-lab .                  (podman build works the same)
#   docker run --rm -it --init -v "$PWD":/lab concurrency-lab ./lab demo
#
# BASE is the Debian 12 image to start from. Where no registry is reachable, import a
# debootstrap of bookworm under a name of your own and pass it: ./lab check-container builds
# with --build-arg BASE=localhost/debian:bookworm (tests/fresh_debian.sh).
ARG BASE=debian:bookworm
FROM ${BASE}
# Only behind an HTTPS proxy with a certificate authority of its own (npm fetches the trace
# viewer's packages): a file of that authority's certificates, visible to the build, as
# ./lab check-container gives it (podman build --volume FILE:PATH --build-arg
# NODE_EXTRA_CA_CERTS=PATH). Unset otherwise; a build argument, so not kept in the image.
ARG NODE_EXTRA_CA_CERTS

# ./lab setup reads only the script (its package list) and the trace viewer's npm lock, so
# only they are copied; .dockerignore keeps everything else out of the build context.
COPY lab /opt/lab-setup/lab
COPY harness/viewer/package.json harness/viewer/package-lock.json /opt/lab-setup/harness/viewer/

# As root, non-interactive. The viewer's npm packages land in /opt/lab-setup/build/viewer and
# go with it; npm's cache (/root/.npm) stays, from which ./lab installs them into the mounted
# build/viewer without the network (npm ci --prefer-offline). git: results files record the
# source's revision and VS Code's source control works; /lab is a safe directory because the
# mount belongs to the host's user.
RUN /opt/lab-setup/lab setup \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends git \
 && git config --system --add safe.directory /lab \
 && rm -rf /opt/lab-setup /var/lib/apt/lists/*

# For the student's terminal only: the lab needs no locale (./lab check-clean-root runs it with none).
ENV LANG=C.UTF-8
WORKDIR /lab
CMD ["bash"]
