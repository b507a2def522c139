/** The benchmark suite. */
package io.github.sdlora4j.benchmark;
