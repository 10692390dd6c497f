/**
 * TLS for the collector: PEM certificate and key loading, the site CA and server certificate that
 * {@code assay-server tls init} makes (BouncyCastle PKIX), and reloading a renewed certificate
 * without a restart.
 */
package io.assay.server.tls;
