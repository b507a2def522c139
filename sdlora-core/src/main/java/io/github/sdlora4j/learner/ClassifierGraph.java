package io.github.sdlora4j.learner;

import io.github.sdlora4j.vit.QkvAdapter;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitGraph;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An inference graph: ViT (with an optional adapter) followed by a frozen linear head. {@link #close} releases the
 * native memory it made (weight copies, work arrays) as soon as it is replaced, instead of at some later garbage
 * collection.
 */
public final class ClassifierGraph implements AutoCloseable {

    /** Name of the logits output, [batch, classes]. */
    public static final String LOGITS = "logits";
    /** Largest batch sent through the graph at once; bounds activation memory. */
    public static final int MAX_BATCH = 128;

    private final SameDiff sd;
    /** The caller's arrays the graph may hold without a copy: never released by {@link #close}. */
    private final List<INDArray> borrowed = new ArrayList<>();
    private final VitConfig config;
    private final DataType type;

    /** Builds the graph; {@code head} may be null for a feature extractor. */
    public ClassifierGraph(VitWeights backbone, QkvAdapter adapter, ClassifierHead head, DataType type) {
        this.sd = SameDiffArrays.newGraph();
        this.config = backbone.config();
        this.type = type;
        borrowed.addAll(backbone.tensors().values());
        if (head != null) {
            borrowed.add(head.weight());
            borrowed.add(head.bias());
        }
        SDVariable feature = VitGraph.build(sd, backbone, adapter, type);
        if (head != null) {
            SDVariable w = sd.constant(ClassifierHead.WEIGHT, head.weight().castTo(type));
            SDVariable b = sd.constant(ClassifierHead.BIAS, head.bias().castTo(type));
            sd.mmul(feature, w, false, true, false).add(LOGITS, b);
        }
    }

    /** Logits for NCHW images {@code x} (any batch size; processed in chunks of {@value #MAX_BATCH}). */
    public INDArray logits(INDArray x) {
        return run(x, LOGITS);
    }

    /** CLS features for NCHW images {@code x}. */
    public INDArray features(INDArray x) {
        return run(x, VitGraph.FEATURE);
    }

    private INDArray run(INDArray x, String output) {
        long[] expected = {config.channels(), config.imageSize(), config.imageSize()};
        if (x.rank() != 4 || !Arrays.equals(Arrays.copyOfRange(x.shape(), 1, 4), expected)) {
            throw new IllegalArgumentException("Expected images of shape [N, " + expected[0] + ", " + expected[1] + ", "
                    + expected[2] + "], got " + Arrays.toString(x.shape()));
        }
        INDArray input = x.castTo(type);
        long n = input.size(0);
        List<INDArray> parts = new ArrayList<>();
        for (long from = 0; from < n; from += MAX_BATCH) {
            long to = Math.min(n, from + MAX_BATCH);
            INDArray chunk = n <= MAX_BATCH ? input : input.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(),
                    NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
            Map<String, INDArray> out = sd.output(Map.of(VitGraph.INPUT, chunk), output);
            parts.add(out.get(output).dup());
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }

    /**
     * Releases the graph's own native memory: its work arrays and the constants it made (transposed and folded
     * weights, cast copies, the adapter's stacked factors); the backbone's and head's arrays stay. The graph is unusable afterwards.
     */
    @Override
    public void close() {
        SameDiffArrays.closeOwned(sd, borrowed);
    }

    /** Closes {@code graph} if there is one; returns null, for {@code graph = ClassifierGraph.release(graph)}. */
    static ClassifierGraph release(ClassifierGraph graph) {
        if (graph != null) {
            graph.close();
        }
        return null;
    }
}
