/**
 * The Vision Transformer: its shape ({@link io.github.sdlora4j.vit.VitConfig}), its tensors under timm's names
 * ({@link io.github.sdlora4j.vit.VitWeights}, {@link io.github.sdlora4j.vit.TimmVitLayout}) and its SameDiff forward
 * pass with a hook for adapters on q and v ({@link io.github.sdlora4j.vit.VitGraph}).
 */
package io.github.sdlora4j.vit;
