/** Class-incremental metrics: accuracy matrix, final accuracy, average anytime accuracy, forgetting, BWT. */
package io.github.sdlora4j.metrics;
