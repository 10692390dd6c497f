/**
 * Bearer tokens: how they are made (random, role-prefixed) and kept (SHA-256 only). Checking a
 * request's token against its route is the API's job ({@code io.assay.server.api}).
 */
package io.assay.server.auth;
