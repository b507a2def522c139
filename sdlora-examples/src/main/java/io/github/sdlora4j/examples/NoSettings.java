package io.github.sdlora4j.examples;

/** The settings of a method that has none of its own: its block may hold only {@code name}. */
public record NoSettings() {
}
