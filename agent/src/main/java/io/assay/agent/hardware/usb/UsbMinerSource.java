package io.assay.agent.hardware.usb;

import static java.util.Objects.requireNonNull;

import io.assay.agent.hardware.SysfsFiles;
import io.assay.agent.sample.Reading;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * USB devices that are, or may be, mining hardware, from {@code /sys/bus/usb/devices/*}
 * ({@code idVendor}, {@code idProduct}, {@code manufacturer}, {@code product}: world-readable).
 * A device whose strings match a miner pattern is strong whatever its ID; a known miner ID is as
 * strong as the rules say; anything else is not listed. Interfaces ({@code 1-1:1.0}) are skipped.
 */
public final class UsbMinerSource {
    private static final String SOURCE = "usb";
    private static final Pattern DEVICE = Pattern.compile("(usb)?\\d+(-\\d+(\\.\\d+)*)?");

    private final Path sysRoot;
    private final UsbMinerRules rules;

    /** @param sysRoot where sysfs is mounted ({@code /sys}) */
    public UsbMinerSource(Path sysRoot, UsbMinerRules rules) {
        this.sysRoot = requireNonNull(sysRoot, "sysRoot");
        this.rules = requireNonNull(rules, "rules");
    }

    /** The miner-like devices plugged in now (an empty list on a host with USB and no such device). Never throws. */
    public Reading<List<UsbDevice>> read() {
        Path devices = sysRoot.resolve("bus/usb/devices");
        List<Path> entries;
        try (Stream<Path> s = Files.list(devices)) {
            entries = s.filter(p -> DEVICE.matcher(p.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            return Reading.absent(SOURCE, "no USB bus (" + devices + " unreadable: " + e.getClass().getSimpleName() + ")");
        }
        List<UsbDevice> out = new ArrayList<>();
        for (Path dev : entries) {
            String vendor = SysfsFiles.read(dev.resolve("idVendor")).text().orElse("").toLowerCase(Locale.ROOT);
            String product = SysfsFiles.read(dev.resolve("idProduct")).text().orElse("").toLowerCase(Locale.ROOT);
            if (vendor.isEmpty() || product.isEmpty()) continue;
            String id = vendor + ":" + product;
            String manufacturerText = SysfsFiles.read(dev.resolve("manufacturer")).text().orElse("");
            String productText = SysfsFiles.read(dev.resolve("product")).text().orElse("");
            String both = manufacturerText + " " + productText;
            Optional<Pattern> byString = rules.strings().stream().filter(p -> p.matcher(both).find()).findFirst();
            Optional<UsbMinerRules.Id> byId = rules.ids().stream().filter(i -> i.vendorProduct().equals(id)).findFirst();
            String busPath = dev.getFileName().toString();
            if (byString.isPresent()) {
                out.add(new UsbDevice(busPath, id, manufacturerText, productText, "strings match /" + byString.get().pattern() + "/", true));
            } else if (byId.isPresent()) {
                out.add(new UsbDevice(busPath, id, manufacturerText, productText, byId.get().name(), byId.get().strong()));
            }
        }
        return Reading.present(SOURCE, out);
    }
}
