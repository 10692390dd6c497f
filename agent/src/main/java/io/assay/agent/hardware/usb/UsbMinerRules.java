package io.assay.agent.hardware.usb;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What marks a USB device as mining hardware: vendor:product IDs (the rules file's {@code hardware}
 * list, each strong or a generic bridge chip), and patterns over the manufacturer and product
 * strings, which are specific where the IDs are not (a GekkoScience stick has a CP210x's ID and
 * "GekkoScience" / "… Bitcoin Miner" as its strings).
 */
public record UsbMinerRules(List<Id> ids, List<Pattern> strings) {
    /** One known ID; {@code vendorProduct} is {@code vvvv:pppp}, lowercase hex. */
    public record Id(String vendorProduct, String name, boolean strong) {
        public Id {
            requireNonNull(vendorProduct, "vendorProduct");
            requireNonNull(name, "name");
            if (!vendorProduct.matches("[0-9a-f]{4}:[0-9a-f]{4}")) {
                throw new IllegalArgumentException("USB id must be vvvv:pppp in lowercase hex, was \"" + vendorProduct + "\"");
            }
        }
    }

    public UsbMinerRules {
        ids = List.copyOf(ids);
        strings = List.copyOf(strings);
    }
}
