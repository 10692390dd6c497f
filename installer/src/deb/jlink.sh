#!/bin/sh
# Builds the trimmed Java runtime both packages ship (one jlink run for both, to keep CI's build
# short), as target/runtime.tar.gz so file modes (bin/java, lib/jspawnhelper) survive into the
# .deb. Skipped when the archive is newer than this script.
#
#   jlink.sh JAVA_HOME TARGET_DIR
#
# Modules, and who needs them (the agent's and the server's shaded jars, checked with
# `jdeps --print-module-deps --ignore-missing-deps --multi-release 17`):
#   java.base, java.sql, java.logging    everything; SQLite and PostgreSQL JDBC
#   java.desktop                         java.beans; it was Quartz's, which the agent no longer uses
#   java.management, java.naming, java.rmi  HikariCP (JMX, JNDI lookups it links to); the agent's
#                                        memory scan reads its own thread CPU time through JMX
#   java.compiler                        it was referenced by Quartz's class loading helpers
# TODO(footprint): check java.desktop and java.compiler against the server jar with jdeps and drop
# them if nothing needs them any more.
#   java.net.http, java.security.jgss    the PostgreSQL driver (GSS auth), the server's clients
#   jdk.httpserver                       the collector's HTTP server
#   jdk.unsupported                      sun.misc.Unsafe for Gson, JNA and OkHttp's Okio
#   jdk.crypto.ec                        ECDHE and EC certificates for HTTPS to the collector
set -eu
java_home=${1:?JAVA_HOME}; target=${2:?TARGET_DIR}
out=$target/runtime.tar.gz
if [ -f "$out" ] && [ "$out" -nt "$0" ]; then echo "jlink.sh: $out is up to date"; exit 0; fi
modules=java.base,java.sql,java.logging,java.desktop,java.management,java.naming,java.rmi,java.compiler,java.net.http,java.security.jgss,jdk.httpserver,jdk.unsupported,jdk.crypto.ec
rm -rf "$target/runtime" "$out"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --output "$target/runtime"
# The default CDS archive of the JDK classes the runtime ships: sharing them cuts start time and
# metaspace (see jvm.options).
"$target/runtime/bin/java" -Xshare:dump >/dev/null
# Entries without a leading "./": jdeb prefixes them with /opt/.../runtime/.
(cd "$target/runtime" && tar -czf "$out" -- *)
rm -rf "$target/runtime"
echo "jlink.sh: wrote $out"
