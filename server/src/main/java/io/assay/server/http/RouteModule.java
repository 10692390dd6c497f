package io.assay.server.http;

import java.util.List;

/** A feature's contribution to the route table (ingest, queries, log, pledges...). */
public interface RouteModule {
    List<Route> routes();
}
