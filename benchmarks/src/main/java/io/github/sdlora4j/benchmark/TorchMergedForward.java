package io.github.sdlora4j.benchmark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.core.Linear;
import io.github.sdlora4j.learner.SdLoraLearner;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PyTorch's inference baseline at its best: the learner's merged model (every adapter folded into W_q and W_v, so a
 * plain timm ViT, {@link TorchVit}) and the whole head, evaluated with autograd off (the engine's grad mode is off
 * outside a gradient collector, as under {@code torch.no_grad()}).
 */
final class TorchMergedForward implements AutoCloseable {

    private final NDManager manager;
    private final TorchVit vit;
    private final NDArray headWeight;
    private final NDArray headBias;
    private NDArray images;

    TorchMergedForward(PyTorchRuntime runtime, SdLoraLearner learner) {
        this.manager = runtime.engine().newBaseManager();
        this.vit = new TorchVit(manager, learner.mergedBackbone());
        this.headWeight = vit.copy(learner.head().weight());
        this.headBias = vit.copy(learner.head().bias());
    }

    /** Sets the images [N, C, H, W] that {@link #predict} scores. */
    void setImages(INDArray batch) {
        if (images != null) {
            images.close();
        }
        images = vit.copy(batch);
    }

    /** Logits of the current images, copied to the host (as a caller would read them); returns them. */
    float[] predict() {
        if (images == null) {
            throw new IllegalStateException("Call setImages first");
        }
        try (NDScope scope = new NDScope()) {
            return Linear.linear(vit.features(images, TorchVit.QvDelta.NONE), headWeight, headBias).singletonOrThrow()
                    .toFloatArray();
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
