/**
 * sdlora4j on Apache Spark: {@code sdlora sweep} runs each (method, seed) of a comparison as a Spark task and
 * {@code sdlora spark-predict} classifies an image collection with a saved learner, loaded once per executor.
 */
package io.github.sdlora4j.spark;
