/**
 * File input/output: a memory-mapped reader and an atomic writer for the
 * <a href="https://github.com/huggingface/safetensors">safetensors</a> format on ND4J arrays, and
 * {@link io.github.sdlora4j.io.AtomicFiles} for writing any output file without ever leaving it half-written.
 */
package io.github.sdlora4j.io;
