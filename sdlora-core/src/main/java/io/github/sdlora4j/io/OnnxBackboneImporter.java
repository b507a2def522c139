package io.github.sdlora4j.io;

import io.github.sdlora4j.learner.ClassifierGraph;
import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.ByteString;
import org.nd4j.shade.protobuf.CodedInputStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Imports the weights of a timm ViT exported to ONNX (e.g. {@code torch.onnx.export(timm_model, ...)}) into
 * {@link VitWeights}, and refuses to hand them out unless they reproduce the ONNX model's own output.
 *
 * <p>Weights are read from the ONNX protobuf directly (initializers and Constant nodes): by timm name where the
 * export kept it ({@code patch_embed.proj.weight}, {@code blocks.0.norm1.weight}, biases, ...); a linear weight that
 * PyTorch folded into an unnamed transposed initializer ({@code onnx::MatMul_123}, [in, out]) is found through its
 * MatMul node and the named bias that the following Add adds, and transposed back to timm's [out, in]. Gemm nodes
 * (the head) are read with their {@code transB}. The file is memory-mapped and parsed with aliasing, so the
 * initializers are not copied onto the heap before being decoded.
 *
 * <p>The check: the ONNX graph is run by {@link OnnxGraphEvaluator} (an ND4J interpreter independent of our ViT) and
 * by our {@link ClassifierGraph} on the same fixed pseudo-random images; the import fails unless the outputs agree to
 * float rounding. The graph's output must be the logits [N, C] (then the head is imported too) or the CLS feature
 * [N, d].
 */
public final class OnnxBackboneImporter {

    /** Images used by the forward check. */
    static final int CHECK_BATCH = 2;
    /** Largest accepted |ours - onnx| relative to the output's largest magnitude (plus 1). */
    static final double CHECK_TOLERANCE = 1e-4;

    private static final String[] LINEARS = {"attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"};

    private OnnxBackboneImporter() {
    }

    /**
     * What an ONNX file held: the backbone, the head if the graph ends in one, and how closely our forward matched.
     *
     * @param backbone       the ViT weights, FLOAT
     * @param head           the classifier, or {@code null} when the graph outputs features
     * @param maxAbsDifference largest |ours - onnx| over the check's outputs
     */
    public record Imported(VitWeights backbone, ClassifierHead head, double maxAbsDifference) {
    }

    /**
     * Imports and verifies a ViT of shape {@code config} from an ONNX file.
     *
     * @param file   an ONNX model (protobuf, weights inside the file)
     * @param config the ViT shape the weights must have
     * @return the verified weights
     * @throws CheckpointException if the file is not an ONNX model, misses or mis-shapes a weight, uses an operator
     *                             the check cannot run, or its output differs from ours
     * @throws IOException         if the file cannot be read
     */
    public static Imported load(Path file, VitConfig config) throws IOException {
        if (file == null || config == null) {
            throw new IllegalArgumentException("file and config are required");
        }
        Onnx.ModelProto model = parse(file);
        Onnx.GraphProto graph = model.getGraph();
        int batch = checkInput(file, graph, config);
        Map<String, Onnx.TensorProto> constants = constants(graph);
        Map<String, long[]> expected = TimmVitLayout.expectedShapes(config);
        Map<String, Source> sources = map(graph, constants, config);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            Source s = sources.get(e.getKey());
            if (s == null) {
                problems.add("no initializer for '" + e.getKey() + "' " + Arrays.toString(e.getValue()));
            } else if (!Arrays.equals(s.timmShape(), e.getValue())) {
                problems.add("'" + e.getKey() + "' (initializer '" + s.tensor().getName() + "') has shape "
                        + Arrays.toString(s.timmShape()) + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        Source headWeight = sources.get(ClassifierHead.WEIGHT);
        Source headBias = sources.get(ClassifierHead.BIAS);
        if (headWeight != null && headBias != null) {
            long[] w = headWeight.timmShape();
            long[] b = headBias.timmShape();
            if (w.length != 2 || w[1] != config.dim() || b.length != 1 || b[0] != w[0]) {
                problems.add("head is weight " + Arrays.toString(w) + " and bias " + Arrays.toString(b)
                        + ", expected [C, " + config.dim() + "] and [C]");
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(file, "ONNX model does not hold a timm ViT " + config + ": "
                    + String.join("; ", problems.subList(0, Math.min(12, problems.size())))
                    + (problems.size() > 12 ? "; and " + (problems.size() - 12) + " more" : ""));
        }
        // Decoded once: the check reuses these arrays (transposed views for MatMul weights) instead of re-decoding.
        Map<String, INDArray> decoded = new HashMap<>();
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (String name : expected.keySet()) {
            tensors.put(name, sources.get(name).read(file, decoded));
        }
        VitWeights backbone = VitWeights.of(config, tensors, file.toString());
        ClassifierHead head = null;
        if (sources.containsKey(ClassifierHead.WEIGHT) && sources.containsKey(ClassifierHead.BIAS)) {
            head = new ClassifierHead(sources.get(ClassifierHead.WEIGHT).read(file, decoded),
                    sources.get(ClassifierHead.BIAS).read(file, decoded));
        }
        return verify(file, graph, backbone, head, batch, decoded);
    }

    /**
     * Checks the image input's static dimensions against {@code config}.
     *
     * @return the batch size the check runs with: the input's static batch, else {@value #CHECK_BATCH}
     */
    private static int checkInput(Path file, Onnx.GraphProto graph, VitConfig config) throws CheckpointException {
        List<Onnx.ValueInfoProto> inputs = dataInputs(graph);
        if (inputs.size() != 1) {
            throw new CheckpointException(file, "ONNX graph has inputs " + inputs.stream()
                    .map(Onnx.ValueInfoProto::getName).toList() + "; expected one image input");
        }
        Onnx.ValueInfoProto input = inputs.get(0);
        List<Onnx.TensorShapeProto.Dimension> dims = input.getType().getTensorType().getShape().getDimList();
        if (dims.isEmpty()) {
            return CHECK_BATCH;
        }
        long[] expected = {0, config.channels(), config.imageSize(), config.imageSize()};
        boolean matches = dims.size() == 4;
        for (int i = 1; matches && i < 4; i++) {
            matches = !dims.get(i).hasDimValue() || dims.get(i).getDimValue() == expected[i];
        }
        if (!matches) {
            throw new CheckpointException(file, "ONNX input '" + input.getName() + "' has shape "
                    + dims.stream().map(d -> d.hasDimValue() ? Long.toString(d.getDimValue()) : d.getDimParam())
                    .toList() + "; the config expects [N, " + config.channels() + ", " + config.imageSize() + ", "
                    + config.imageSize() + "] images");
        }
        long batch = dims.get(0).hasDimValue() ? dims.get(0).getDimValue() : 0;
        return batch > 0 && batch <= ClassifierGraph.MAX_BATCH ? (int) batch : CHECK_BATCH;
    }

    private static List<Onnx.ValueInfoProto> dataInputs(Onnx.GraphProto graph) {
        java.util.Set<String> initializers = new java.util.HashSet<>();
        graph.getInitializerList().forEach(t -> initializers.add(t.getName()));
        return graph.getInputList().stream().filter(v -> !initializers.contains(v.getName())).toList();
    }

    private static Onnx.ModelProto parse(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "not a regular file (expected an .onnx model)");
        }
        Onnx.ModelProto model;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new CheckpointException(file, "is " + size + " bytes; an ONNX protobuf is limited to 2 GiB "
                        + "(larger models keep weights as external data, which is not supported)");
            }
            MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            CodedInputStream in = CodedInputStream.newInstance(mapped);
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            model = Onnx.ModelProto.parseFrom(in);
        } catch (IOException | RuntimeException e) {
            if (e instanceof CheckpointException c) {
                throw c;
            }
            throw new CheckpointException(file, "is not an ONNX model (protobuf parse failed: " + e.getMessage() + ")",
                    e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0 || model.getOpsetImportCount() == 0
                || model.getGraph().getInputCount() == 0 || model.getGraph().getOutputCount() == 0) {
            throw new CheckpointException(file, "is not an ONNX model: no graph with nodes, inputs and outputs"
                    + " and an opset (ir_version " + model.getIrVersion() + ")");
        }
        return model;
    }

    /**
     * Initializers and Constant-node values by name; the output of a Cast to FLOAT of one of them names the same
     * tensor (weights stored as float16 and cast where they are read: decoding gives float32 either way).
     */
    private static Map<String, Onnx.TensorProto> constants(Onnx.GraphProto graph) {
        Map<String, Onnx.TensorProto> c = new HashMap<>();
        for (Onnx.TensorProto t : graph.getInitializerList()) {
            c.put(t.getName(), t);
        }
        for (Onnx.NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("Constant") && n.getOutputCount() == 1) {
                n.getAttributeList().stream().filter(a -> a.getName().equals("value")).findFirst()
                        .ifPresent(a -> c.put(n.getOutput(0), a.getT()));
            } else if (n.getOpType().equals("Cast") && n.getInputCount() == 1 && n.getOutputCount() == 1
                    && c.containsKey(n.getInput(0)) && n.getAttributeList().stream().anyMatch(a -> a.getName()
                    .equals("to") && a.getI() == Onnx.TensorProto.DataType.FLOAT_VALUE)) {
                c.put(n.getOutput(0), c.get(n.getInput(0)));
            }
        }
        return c;
    }

    /** The name of the tensor behind a node input: the initializer's when the input is a constant (or its cast). */
    private static String tensorName(Map<String, Onnx.TensorProto> constants, String input) {
        Onnx.TensorProto t = constants.get(input);
        return t == null ? input : t.getName();
    }

    /** Where a timm tensor comes from: an ONNX tensor, possibly stored transposed. */
    private record Source(Onnx.TensorProto tensor, boolean transposed) {
        long[] timmShape() {
            long[] dims = tensor.getDimsList().stream().mapToLong(Long::longValue).toArray();
            return transposed && dims.length == 2 ? new long[]{dims[1], dims[0]} : dims;
        }

        /** Decodes to timm's layout and records the ONNX-layout array (a view when transposed) in {@code cache}. */
        INDArray read(Path file, Map<String, INDArray> cache) throws CheckpointException {
            INDArray a = decode(file, tensor);
            INDArray timm = transposed ? a.transpose().dup('c') : a;
            cache.put(tensor.getName(), transposed ? timm.transpose() : timm);
            return timm;
        }
    }

    private static Map<String, Source> map(Onnx.GraphProto graph, Map<String, Onnx.TensorProto> constants,
                                           VitConfig config) {
        Map<String, Source> sources = new HashMap<>();
        for (String name : TimmVitLayout.expectedShapes(config).keySet()) {
            Onnx.TensorProto t = constants.get(name);
            if (t != null) {
                sources.put(name, new Source(t, false));
            }
        }
        for (String name : new String[]{ClassifierHead.WEIGHT, ClassifierHead.BIAS}) {
            if (constants.containsKey(name)) {
                sources.put(name, new Source(constants.get(name), false));
            }
        }
        Map<String, Onnx.NodeProto> consumerOf = new HashMap<>();
        for (Onnx.NodeProto n : graph.getNodeList()) {
            for (String in : n.getInputList()) {
                consumerOf.putIfAbsent(in, n);
            }
        }
        for (Onnx.NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("MatMul") && n.getInputCount() == 2 && constants.containsKey(n.getInput(1))) {
                // y = x·W^T + b exported as MatMul(x, W^T) then Add(y, b): the bias names the layer.
                Onnx.NodeProto add = consumerOf.get(n.getOutput(0));
                String biasInput = add == null || !add.getOpType().equals("Add") ? null
                        : add.getInputList().stream().filter(i -> !i.equals(n.getOutput(0))).findFirst().orElse(null);
                String bias = biasInput == null ? null : tensorName(constants, biasInput);
                if (bias != null && bias.endsWith(".bias")) {
                    String weight = bias.substring(0, bias.length() - ".bias".length()) + ".weight";
                    sources.putIfAbsent(weight, new Source(constants.get(n.getInput(1)), true));
                    if (constants.containsKey(biasInput)) {
                        sources.putIfAbsent(bias, new Source(constants.get(biasInput), false));
                    }
                }
            } else if (n.getOpType().equals("Gemm") && n.getInputCount() >= 2 && constants.containsKey(n.getInput(1))
                    && !sources.containsKey(ClassifierHead.WEIGHT) && n.getInputCount() == 3
                    && tensorName(constants, n.getInput(2)).equals(ClassifierHead.BIAS)) {
                boolean transB = n.getAttributeList().stream()
                        .anyMatch(a -> a.getName().equals("transB") && a.getI() != 0);
                sources.put(ClassifierHead.WEIGHT, new Source(constants.get(n.getInput(1)), !transB));
            }
        }
        assignByPosition(graph, constants, consumerOf, config, sources);
        return sources;
    }

    /**
     * For exports whose linear layers carry no names at all: when the unnamed MatMul weights, in graph order, are
     * exactly as many as the still unmapped linear layers, they are assigned in timm's order (qkv, proj, fc1, fc2 per
     * block), each with the constant its following Add adds as the bias. Shapes and the forward check still apply.
     */
    private static void assignByPosition(Onnx.GraphProto graph, Map<String, Onnx.TensorProto> constants,
                                         Map<String, Onnx.NodeProto> consumerOf, VitConfig config,
                                         Map<String, Source> sources) {
        List<String> unmapped = new ArrayList<>();
        for (int i = 0; i < config.depth(); i++) {
            for (String layer : LINEARS) {
                String prefix = TimmVitLayout.block(i, layer);
                if (!sources.containsKey(prefix + ".weight")) {
                    unmapped.add(prefix);
                }
            }
        }
        if (unmapped.isEmpty()) {
            return;
        }
        java.util.Set<String> used = new java.util.HashSet<>();
        sources.values().forEach(src -> used.add(src.tensor().getName()));
        List<Onnx.NodeProto> candidates = new ArrayList<>();
        for (Onnx.NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("MatMul") && n.getInputCount() == 2 && constants.containsKey(n.getInput(1))
                    && constants.get(n.getInput(1)).getDimsCount() == 2
                    && !used.contains(tensorName(constants, n.getInput(1)))) {
                candidates.add(n);
            }
        }
        if (candidates.size() != unmapped.size()) {
            return;
        }
        for (int k = 0; k < candidates.size(); k++) {
            Onnx.NodeProto n = candidates.get(k);
            String prefix = unmapped.get(k);
            sources.put(prefix + ".weight", new Source(constants.get(n.getInput(1)), true));
            Onnx.NodeProto add = consumerOf.get(n.getOutput(0));
            if (add != null && add.getOpType().equals("Add") && !sources.containsKey(prefix + ".bias")) {
                add.getInputList().stream().filter(i -> !i.equals(n.getOutput(0)) && constants.containsKey(i))
                        .findFirst().ifPresent(b -> sources.put(prefix + ".bias", new Source(constants.get(b), false)));
            }
        }
    }

    /** Decodes a FLOAT/FLOAT16/BFLOAT16/DOUBLE tensor to a FLOAT array; INT64/INT32 (shapes, indices) to INT64. */
    static INDArray decode(Path file, Onnx.TensorProto t) throws CheckpointException {
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        String name = "ONNX tensor '" + t.getName() + "'";
        if (t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new CheckpointException(file, name + " keeps its data in an external file, which is not supported;"
                    + " export with the weights inside the model (below 2 GiB)");
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new CheckpointException(file, name + " has a negative dimension " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        int type = t.getDataType();
        int width = switch (type) {
            case Onnx.TensorProto.DataType.FLOAT_VALUE, Onnx.TensorProto.DataType.INT32_VALUE -> 4;
            case Onnx.TensorProto.DataType.FLOAT16_VALUE, Onnx.TensorProto.DataType.BFLOAT16_VALUE -> 2;
            case Onnx.TensorProto.DataType.DOUBLE_VALUE, Onnx.TensorProto.DataType.INT64_VALUE -> 8;
            default -> throw new CheckpointException(file, name + " has unsupported ONNX data type " + type + " ("
                    + Onnx.TensorProto.DataType.forNumber(type) + "); supported: FLOAT, FLOAT16, BFLOAT16, DOUBLE "
                    + "for weights, INT64/INT32 for shapes");
        };
        boolean integer = type == Onnx.TensorProto.DataType.INT64_VALUE || type == Onnx.TensorProto.DataType.INT32_VALUE;
        ByteString raw = t.getRawData();
        if (!raw.isEmpty()) {
            if (raw.size() != n * width) {
                throw new CheckpointException(file, name + " declares shape " + Arrays.toString(shape) + " ("
                        + n * width + " bytes) but holds " + raw.size() + " bytes of raw data");
            }
            ByteBuffer le = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (integer) {
                long[] v = new long[(int) n];
                for (int i = 0; i < n; i++) {
                    v[i] = width == 8 ? le.getLong() : le.getInt();
                }
                return Nd4j.createFromArray(v).reshape(shape);
            }
            INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
            ByteBuffer dst = out.data().asNio().order(ByteOrder.nativeOrder());
            for (int i = 0; i < n; i++) {
                float f = switch (type) {
                    case Onnx.TensorProto.DataType.FLOAT_VALUE -> le.getFloat();
                    case Onnx.TensorProto.DataType.DOUBLE_VALUE -> (float) le.getDouble();
                    case Onnx.TensorProto.DataType.FLOAT16_VALUE -> HalfFloats.halfToFloat(le.getShort());
                    default -> HalfFloats.bfloat16ToFloat(le.getShort());
                };
                dst.putFloat(i * Float.BYTES, f);
            }
            return out;
        }
        long stored = switch (type) {
            case Onnx.TensorProto.DataType.FLOAT_VALUE -> t.getFloatDataCount();
            case Onnx.TensorProto.DataType.DOUBLE_VALUE -> t.getDoubleDataCount();
            case Onnx.TensorProto.DataType.INT64_VALUE -> t.getInt64DataCount();
            default -> t.getInt32DataCount();
        };
        if (stored != n) {
            throw new CheckpointException(file, name + " declares shape " + Arrays.toString(shape) + " (" + n
                    + " elements) but holds " + stored);
        }
        if (integer) {
            long[] v = new long[(int) n];
            for (int i = 0; i < n; i++) {
                v[i] = type == Onnx.TensorProto.DataType.INT64_VALUE ? t.getInt64Data(i) : t.getInt32Data(i);
            }
            return Nd4j.createFromArray(v).reshape(shape);
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (type) {
                case Onnx.TensorProto.DataType.FLOAT_VALUE -> t.getFloatData(i);
                case Onnx.TensorProto.DataType.DOUBLE_VALUE -> (float) t.getDoubleData(i);
                case Onnx.TensorProto.DataType.FLOAT16_VALUE -> HalfFloats.halfToFloat((short) t.getInt32Data(i));
                default -> HalfFloats.bfloat16ToFloat((short) t.getInt32Data(i));
            };
        }
        return Nd4j.createFromArray(v).reshape(shape);
    }

    private static Imported verify(Path file, Onnx.GraphProto graph, VitWeights backbone, ClassifierHead head,
                                   int batch, Map<String, INDArray> decoded) throws CheckpointException {
        VitConfig c = backbone.config();
        INDArray images = checkImages(c, batch);
        Map<String, INDArray> inputs = new HashMap<>(decoded);
        inputs.put(dataInputs(graph).get(0).getName(), images);
        INDArray theirs;
        try {
            theirs = new OnnxGraphEvaluator(graph, t -> {
                try {
                    return decode(file, t);
                } catch (CheckpointException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }).run(inputs);
        } catch (RuntimeException e) {
            throw new CheckpointException(file, "cannot run the ONNX graph to verify the mapped weights, so they are "
                    + "not returned: " + e.getMessage(), e);
        }
        long[] shape = theirs.shape();
        INDArray ours;
        ClassifierHead usedHead = null;
        if (head != null && Arrays.equals(shape, new long[]{batch, head.numClasses()})) {
            usedHead = head;
            ours = new ClassifierGraph(backbone, null, head, DataType.FLOAT).logits(images);
        } else if (Arrays.equals(shape, new long[]{batch, c.dim()})) {
            ours = new ClassifierGraph(backbone, null, null, DataType.FLOAT).features(images);
        } else {
            throw new CheckpointException(file, "ONNX graph output has shape " + Arrays.toString(shape) + " for "
                    + batch + " images; expected logits [" + batch + ", C] of a head or CLS features ["
                    + batch + ", " + c.dim() + "], so the mapped weights cannot be verified");
        }
        double diff = ours.sub(theirs.castTo(DataType.FLOAT)).amaxNumber().doubleValue();
        double scale = 1 + theirs.amaxNumber().doubleValue();
        if (!(diff <= CHECK_TOLERANCE * scale)) {
            throw new CheckpointException(file, "the weights mapped from the ONNX model do not reproduce its output: "
                    + "max |ours - onnx| = " + diff + " (allowed " + CHECK_TOLERANCE * scale + "); the graph is not "
                    + "a timm ViT of this configuration or the mapping is wrong, so the weights are not returned");
        }
        return new Imported(backbone, usedHead, diff);
    }

    /** Fixed pseudo-random images in [0, 1). */
    private static INDArray checkImages(VitConfig c, int batch) {
        SplittableRandom rng = new SplittableRandom(20240229L);
        float[] v = new float[batch * c.channels() * c.imageSize() * c.imageSize()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextDouble();
        }
        return Nd4j.create(v, new long[]{batch, c.channels(), c.imageSize(), c.imageSize()}, 'c');
    }
}
