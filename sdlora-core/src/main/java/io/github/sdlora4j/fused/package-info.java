/**
 * The fused SD-LoRA training step: the frozen ViT's forward and backward with SD-LoRA's q/v terms, written by hand
 * instead of traced by SameDiff ({@link io.github.sdlora4j.fused.FusedSdLoraStep}). Matrix products go to ND4J's
 * GEMM on preallocated column-major arrays; LayerNorm, exact GELU and the attention reshapes are vectorised Java
 * ({@code jdk.incubator.vector}, so the JVM needs {@code --add-modules jdk.incubator.vector}). Frozen tensors get no
 * gradient work, the LoRA terms are merged into the q/v weights for the forward pass, and their gradients come from
 * whichever of two exact forms costs less, so the step barely grows with the number of finished tasks. The same
 * forward ({@link io.github.sdlora4j.fused.FusedVitForward}) serves prediction with a merged backbone. Both split a
 * batch into per-thread shares of images ({@link io.github.sdlora4j.fused.FusedThreads}).
 */
package io.github.sdlora4j.fused;
