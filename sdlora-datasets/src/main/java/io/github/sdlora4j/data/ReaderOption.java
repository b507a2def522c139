package io.github.sdlora4j.data;

import java.util.List;
import java.util.Locale;

/**
 * One option a {@link DatasetReader} takes in {@code dataset.options}, with the kind of value it expects. A spec's
 * options are checked against its reader's when the spec is made: an unknown name or a value of the wrong kind is an
 * error naming the option, not a setting silently ignored.
 *
 * @param name    the option's key
 * @param kind    what its value must be
 * @param choices for {@link Kind#CHOICE}, the allowed values (case-insensitive); empty otherwise
 */
public record ReaderOption(String name, Kind kind, List<String> choices) {

    /** What an option's value must be. */
    public enum Kind {
        /** A 32-bit integer. */
        INTEGER,
        /** A 64-bit integer. */
        LONG,
        /** Any text. */
        TEXT,
        /** One of {@link #choices}. */
        CHOICE
    }

    /** Validates. */
    public ReaderOption {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a reader option needs a name");
        }
        choices = List.copyOf(choices);
        if ((kind == Kind.CHOICE) == choices.isEmpty()) {
            throw new IllegalArgumentException("reader option '" + name + "': choices go with kind CHOICE only");
        }
    }

    /** An integer option. */
    public static ReaderOption integer(String name) {
        return new ReaderOption(name, Kind.INTEGER, List.of());
    }

    /** A long option. */
    public static ReaderOption longValue(String name) {
        return new ReaderOption(name, Kind.LONG, List.of());
    }

    /** A text option. */
    public static ReaderOption text(String name) {
        return new ReaderOption(name, Kind.TEXT, List.of());
    }

    /** An option that takes one of {@code values}. */
    public static ReaderOption choice(String name, String... values) {
        return new ReaderOption(name, Kind.CHOICE, List.of(values));
    }

    /**
     * Checks {@code value}.
     *
     * @throws IllegalArgumentException naming {@code dataset.options.<name>} and what it expects
     */
    void check(String format, String value) {
        String v = value == null ? "" : value.strip();
        String expected = switch (kind) {
            case INTEGER -> parses(v, true) ? null : "an integer";
            case LONG -> parses(v, false) ? null : "an integer";
            case TEXT -> null;
            case CHOICE -> choices.contains(v.toLowerCase(Locale.ROOT)) ? null : "one of " + String.join(", ", choices);
        };
        if (expected != null) {
            throw new IllegalArgumentException("dataset.options." + name + " of format " + format + " must be "
                    + expected + ", got '" + value + "'");
        }
    }

    private static boolean parses(String v, boolean asInt) {
        try {
            if (asInt) {
                Integer.parseInt(v);
            } else {
                Long.parseLong(v);
            }
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
