/** Datasets and their class-incremental task streams. */
package io.github.sdlora4j.data;
