package io.assay.server.cli;

/** Lets tests of other packages run the CLI in-process. */
public final class ServerMainAccess {
    private ServerMainAccess() {}

    public static int execute(String... args) {
        return ServerMain.execute(args);
    }
}
