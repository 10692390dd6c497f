/** Request and response bodies of the collector's HTTP API, shared by agent, server and tests. */
package io.assay.protocol.api;
