package io.assay.agent.hardware.usb;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.sample.Reading;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsbMinerSourceTest {
    private static final UsbMinerRules RULES = new UsbMinerRules(List.of(
            new UsbMinerRules.Id("29f1:33f2", "Canaan Avalon", true),
            new UsbMinerRules.Id("4254:4153", "Bitmain Antminer S1/S3", true),
            new UsbMinerRules.Id("10c4:ea60", "CP210x USB-serial", false),
            new UsbMinerRules.Id("0403:6001", "FTDI USB-serial", false)),
            List.of(Pattern.compile("(?i)gekkoscience"), Pattern.compile("(?i)bitcoin miner")));

    @Test
    void findsMinersByStringsAndIdsAndMarksBridgeChipsWeak() throws Exception {
        Path sys = Path.of(getClass().getResource("/hardware/sys-usb").toURI());

        List<UsbDevice> found = ((Reading.Present<List<UsbDevice>>) new UsbMinerSource(sys, RULES).read()).value();

        assertThat(found).containsExactly(
                new UsbDevice("1-1", "10c4:ea60", "GekkoScience", "Compac F Bitcoin Miner", "strings match /(?i)gekkoscience/", true),
                new UsbDevice("1-1.2", "29f1:33f2", "CANAAN", "Avalon nano", "Canaan Avalon", true),
                new UsbDevice("1-1.3", "0403:6001", "FTDI", "FT232R USB UART", "FTDI USB-serial", false),
                new UsbDevice("2-1", "4254:4153", "", "", "Bitmain Antminer S1/S3", true));
    }

    @Test
    void aHostWithoutUsbIsAbsentAndOneWithoutMinersIsAnEmptyList(@TempDir Path dir) throws Exception {
        assertThat(new UsbMinerSource(dir, RULES).read()).isEqualTo(
                Reading.absent("usb", "no USB bus (" + dir.resolve("bus/usb/devices") + " unreadable: NoSuchFileException)"));
        Path keyboard = Files.createDirectories(dir.resolve("bus/usb/devices/1-1"));
        Files.writeString(keyboard.resolve("idVendor"), "046d\n");
        Files.writeString(keyboard.resolve("idProduct"), "c31c\n");
        assertThat(new UsbMinerSource(dir, RULES).read()).isEqualTo(Reading.present("usb", List.of()));
    }
}
