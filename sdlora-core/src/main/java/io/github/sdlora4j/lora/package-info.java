/**
 * SD-LoRA's adapters: per-task low-rank factors, shared magnitudes and KD's assimilated magnitudes
 * ({@link io.github.sdlora4j.lora.SdLoraState}), their stacked SameDiff terms
 * ({@link io.github.sdlora4j.lora.SdLoraAdapterGraph}), merging into the backbone
 * ({@link io.github.sdlora4j.lora.AdapterMerger}), direction norms, rank reduction and knowledge assimilation solved
 * in r×r space ({@link io.github.sdlora4j.lora.DirectionAssimilator}).
 */
package io.github.sdlora4j.lora;
