/**
 * SD-LoRA's adapters: per-task low-rank factors, shared magnitudes and KD's assimilated magnitudes
 * ({@link io.github.sdlora4j.lora.SdLoraState}); the method's algebra, written once
 * ({@link io.github.sdlora4j.lora.SdLoraAlgebra}: terms, per-row scales, the fold rule, tensor names) and executed by
 * the SameDiff graph ({@link io.github.sdlora4j.lora.SdLoraAdapterGraph}), the fused step and merging into the backbone
 * ({@link io.github.sdlora4j.lora.AdapterMerger}), direction norms, rank reduction and knowledge assimilation solved
 * in r×r space ({@link io.github.sdlora4j.lora.DirectionAssimilator}).
 */
package io.github.sdlora4j.lora;
