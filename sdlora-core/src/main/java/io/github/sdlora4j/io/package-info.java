/**
 * File input/output: a memory-mapped reader and an atomic writer for the
 * <a href="https://github.com/huggingface/safetensors">safetensors</a> format on ND4J arrays, and
 * {@link io.github.sdlora4j.io.AtomicFiles} for writing any output file without ever leaving it half-written.
 * Pretrained backbones come in through {@link io.github.sdlora4j.io.TimmBackboneImporter} (timm safetensors) and
 * {@link io.github.sdlora4j.io.OnnxBackboneImporter} (ONNX exports, verified by running the graph), and go out as
 * plain timm state_dicts through {@link io.github.sdlora4j.io.TimmModelExport}; a whole learner is saved and
 * restored by {@link io.github.sdlora4j.io.LearnerCheckpoint}, an unfinished backbone pretraining by
 * {@link io.github.sdlora4j.io.PretrainCheckpoint}.
 */
package io.github.sdlora4j.io;
