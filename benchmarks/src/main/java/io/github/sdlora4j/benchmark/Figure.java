package io.github.sdlora4j.benchmark;

import java.util.Objects;

/**
 * One measured number of the suite.
 *
 * @param section the part of the suite that produced it ({@code w1}, {@code sgemm}, {@code scaling}, ...)
 * @param name    stable identifier, snake_case, unique within a report
 * @param value   the number; finite
 * @param unit    what it counts ({@code ms}, {@code images/s}, {@code GFLOP/s}, {@code ratio}, {@code MiB}, ...)
 * @param note    how it was obtained, in a few words; may be empty
 */
public record Figure(String section, String name, double value, String unit, String note) {

    /** Validates. */
    public Figure {
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(unit, "unit");
        note = note == null ? "" : note;
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("Figure '" + name + "' must be finite, got " + value);
        }
    }
}
