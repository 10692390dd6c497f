package io.assay.agent.hardware.cgminer;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a cgminer-style API (cgminer, bmminer, bfgminer, the Antminer/Whatsminer/Avalon firmwares)
 * said about the mining it controls. Pool users are not kept: they are wallets.
 *
 * @param endpoint {@code 127.0.0.1:4028}
 * @param software the API's own description, e.g. {@code bmminer 1.0.0}, or ""
 * @param hashRateMhs average hash rate in MH/s since start ({@code MHS av}, or {@code GHS av} × 1000)
 * @param accepted shares the pools accepted
 * @param devices hashing devices the {@code devs} command listed (0 when it failed)
 * @param poolUrls the pools' URLs from the {@code pools} command
 * @param notes commands after {@code summary} that failed, one line each
 */
public record MinerApiAnswer(String endpoint, String software, double hashRateMhs, long accepted, int devices,
        List<String> poolUrls, List<String> notes) {
    public MinerApiAnswer {
        requireNonNull(endpoint, "endpoint");
        requireNonNull(software, "software");
        poolUrls = List.copyOf(poolUrls);
        notes = List.copyOf(notes);
    }
}
