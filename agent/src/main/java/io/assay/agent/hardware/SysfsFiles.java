package io.assay.agent.hardware;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads of small sysfs attribute files, as the hardware sources need them: a trimmed value, or why
 * there is none, in words an operator can act on. Attribute files are a few bytes; anything past
 * {@link #MAX_BYTES} is not an attribute and is not read.
 */
public final class SysfsFiles {
    static final int MAX_BYTES = 4096;

    private SysfsFiles() {}

    /** A value or the reason it could not be read. */
    public record Value(Optional<String> text, String why) {
        public static Value of(String text) {
            return new Value(Optional.of(text), "");
        }

        public static Value missing(String why) {
            return new Value(Optional.empty(), why);
        }

        public Optional<Long> asLong() {
            try {
                return text.map(t -> Long.parseLong(t.trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    /** The file's content, trimmed. Never throws. */
    public static Value read(Path file) {
        try (var in = Files.newInputStream(file)) {
            return Value.of(new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8).trim());
        } catch (AccessDeniedException e) {
            return Value.missing("permission denied reading " + file);
        } catch (NoSuchFileException e) {
            return Value.missing(file + " does not exist");
        } catch (IOException e) {
            // sysfs answers some reads with EIO/ENODATA (a sensor the firmware does not expose)
            return Value.missing("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The file's content as a whole number, or why not (missing, unreadable, not a number). */
    public static Value readLong(Path file) {
        Value v = read(file);
        if (v.text().isPresent() && v.asLong().isEmpty()) return Value.missing(file + " holds \"" + v.text().get() + "\", not a number");
        return v;
    }
}
