package io.assay.agent.hardware.usb;

import static java.util.Objects.requireNonNull;

/**
 * A USB device that looks like mining hardware.
 *
 * @param busPath the device's name under {@code /sys/bus/usb/devices}, e.g. {@code 1-1.2}
 * @param vendorProduct {@code vvvv:pppp} in lowercase hex
 * @param manufacturer the device's manufacturer string, or ""
 * @param product the device's product string, or ""
 * @param matched what matched: the rules' name for the ID, or the string pattern
 * @param strong false for generic USB-serial bridges that many miners use and much else does too
 */
public record UsbDevice(String busPath, String vendorProduct, String manufacturer, String product, String matched, boolean strong) {
    public UsbDevice {
        requireNonNull(busPath, "busPath");
        requireNonNull(vendorProduct, "vendorProduct");
        requireNonNull(manufacturer, "manufacturer");
        requireNonNull(product, "product");
        requireNonNull(matched, "matched");
    }
}
