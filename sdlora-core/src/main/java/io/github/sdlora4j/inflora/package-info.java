/**
 * InfLoRA's mathematics (Liang and Li, "InfLoRA: Interference-Free Low-Rank Adaptation for Continual Learning",
 * CVPR 2024): the layer-input representation of a task ({@link io.github.sdlora4j.inflora.LayerInputs}), the memory
 * of the input subspace earlier tasks occupy ({@link io.github.sdlora4j.inflora.SubspaceMemory}, DualGPM) and the
 * design of a new task's down-projection orthogonal to it ({@link io.github.sdlora4j.inflora.InputSubspace}).
 */
package io.github.sdlora4j.inflora;
