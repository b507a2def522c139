package io.github.sdlora4j.fused;

import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Logits of a plain ViT (SD-LoRA's merged backbone) and a linear head, or its features, with the fused engine's
 * kernels ({@link ForwardPass}): the function of the SameDiff inference graph ({@code ClassifierGraph}), which stays the
 * reference and the CUDA path. Images are split into contiguous shares, one per thread, each run in chunks of at
 * most {@value #CHUNK} images with single-threaded BLAS; an image's logits do not depend on the others.
 *
 * <p>Immutable after construction; not thread-safe: one caller at a time per instance (the work arrays are reused).
 */
public final class FusedVitForward {

    /**
     * Images per forward pass of one thread: bounds the work arrays whatever the number of images. 16 images of 65
     * tokens keep a W1 MLP activation within a core's L2 and the rows a whole number of 16-lane vectors; 16 measured
     * faster than 8, 12, 24 and 32.
     */
    static final int CHUNK = 16;

    private final VitConfig c;
    private final FrozenVit vit;
    private final float[] headWeight;
    private final float[] headBias;
    private final int classes;
    private final ShardExecutor executor;
    private final RecentBySize<Activations>[] activations;

    /**
     * A forward with no head: {@link #features} only.
     *
     * @param mergedBackbone a plain ViT (adapters, if any, already merged into its weights)
     * @param threads        at least 1
     */
    public FusedVitForward(VitWeights mergedBackbone, int threads) {
        this(mergedBackbone, null, null, threads);
    }

    /**
     * @param mergedBackbone a plain ViT (adapters, if any, already merged into its weights)
     * @param headWeight     [classes, D], or null (with {@code headBias}) for {@link #features} only
     * @param headBias       [classes]
     * @param threads        at least 1
     */
    @SuppressWarnings("unchecked")
    public FusedVitForward(VitWeights mergedBackbone, INDArray headWeight, INDArray headBias, int threads) {
        FusedSdLoraStep.requireVectorModule();
        this.c = mergedBackbone.config();
        if ((headWeight == null) != (headBias == null) || headWeight != null && (headWeight.rank() != 2
                || headWeight.size(0) < 1 || headWeight.size(1) != c.dim() || headBias.length() != headWeight.size(0))) {
            throw new IllegalArgumentException("The head must be [classes, " + c.dim() + "] and [classes] with classes "
                    + ">= 1, got " + shape(headWeight) + " and " + shape(headBias));
        }
        this.executor = new ShardExecutor(threads);
        this.vit = new FrozenVit(mergedBackbone);
        this.classes = headWeight == null ? 0 : (int) headWeight.size(0);
        this.headWeight = headWeight == null ? null : headWeight.castTo(DataType.FLOAT).dup('c').data().asFloat();
        this.headBias = headBias == null ? null
                : headBias.castTo(DataType.FLOAT).reshape(classes).dup('c').data().asFloat();
        this.activations = new RecentBySize[threads];
        for (int s = 0; s < threads; s++) {
            activations[s] = new RecentBySize<>();
        }
    }

    private static String shape(INDArray a) {
        return a == null ? "null" : Arrays.toString(a.shape());
    }

    /** Releases the weight copies and work arrays (off-heap) at once instead of at a later GC; unusable afterwards. */
    public void close() {
        vit.close();
        for (RecentBySize<Activations> cache : activations) {
            cache.clear(Activations::close);
        }
    }

    /**
     * @param images [N, channels, size, size]
     * @return the logits [N, classes], float32
     * @throws IllegalStateException if this forward has no head
     */
    public INDArray logits(INDArray images) {
        if (headWeight == null) {
            throw new IllegalStateException("This fused forward has no head: it computes features only");
        }
        return run(images, classes, true);
    }

    /**
     * @param images [N, channels, size, size]
     * @return the features [N, D] (the final LayerNorm of the CLS token), float32
     */
    public INDArray features(INDArray images) {
        return run(images, c.dim(), false);
    }

    private INDArray run(INDArray images, int width, boolean logits) {
        if (images.rank() != 4 || images.size(1) != c.channels() || images.size(2) != c.imageSize()
                || images.size(3) != c.imageSize()) {
            throw new IllegalArgumentException("Expected images of shape [N, " + c.channels() + ", " + c.imageSize()
                    + ", " + c.imageSize() + "], got " + Arrays.toString(images.shape()));
        }
        int n = Math.toIntExact(images.size(0));
        float[] out = new float[n * width];
        if (n > 0) {
            INDArray input = Matrices.plain(images);
            int shards = Math.min(executor.threads(), n);
            int[] ranges = ShardExecutor.split(n, shards);
            for (int s = 0; s < shards; s++) {
                // Made on the calling thread, for the reason FusedSdLoraStep's work arrays are.
                int size = ranges[2 * s + 1];
                activations(activations[s], Math.min(CHUNK, size));
                if (size > CHUNK && size % CHUNK != 0) {
                    activations(activations[s], size % CHUNK);
                }
            }
            executor.run(shards, s -> share(activations[s], input, ranges[2 * s], ranges[2 * s + 1], out, logits));
        }
        return Nd4j.create(out, new long[]{n, width}, 'c');
    }

    private Activations activations(RecentBySize<Activations> cache, int chunk) {
        return cache.get(chunk, b -> new Activations(c, b, false));
    }

    /**
     * Logits (or features) of images {@code [first, first + size)} into their rows of {@code out} (row-major
     * [N, classes] or [N, D]).
     */
    private void share(RecentBySize<Activations> cache, INDArray images, int first, int size, float[] out,
                       boolean logits) {
        for (int from = first; from < first + size; from += CHUNK) {
            int chunk = Math.min(CHUNK, first + size - from);
            Activations a = activations(cache, chunk);
            ForwardPass.embed(vit, a, images, from);
            float[] pending = null;
            int last = c.depth() - 1;
            for (int l = 0; l < last; l++) {
                pending = ForwardPass.block(vit, l, a, a.saved(l), pending, vit.blocks[l].qkvWeight);
            }
            pending = a.clsOnly.forward(vit, last, a, a.saved(last), pending);
            float[] feature = ClassifierLoss.features(c, vit, a.clsOnly.clsRows(pending), chunk).feature(); // [chunk, D]
            for (int b = 0; b < chunk; b++) {
                if (logits) {
                    for (int k = 0; k < classes; k++) {
                        out[(from + b) * classes + k] = (float) ClassifierLoss.logit(feature, chunk, b, headWeight,
                                headBias, k, c.dim());
                    }
                } else {
                    for (int d = 0; d < c.dim(); d++) {
                        out[(from + b) * c.dim() + d] = feature[d * chunk + b];
                    }
                }
            }
        }
    }
}
