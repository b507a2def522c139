package io.github.sdlora4j.io;

import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a timm ViT as PyTorch's {@code torch.onnx.export} would (opset 13): Conv patch embedding, LayerNorm as its
 * ReduceMean/Sub/Pow/Sqrt/Div decomposition, linear layers as MatMul with a transposed, unnamed
 * ({@code onnx::MatMul_N}) initializer plus an Add of the named bias, qkv split with Reshape/Transpose/Gather, exact
 * GELU through Erf, the CLS token taken with Gather, shapes/indices/scalars as Constant nodes, and the head as Gemm. Built with the ONNX protobuf classes
 * that ship with nd4j-api, independently of the importer under test.
 */
final class OnnxVitFixture {

    /**
     * How the export looks.
     *
     * @param reluInsteadOfGelu a graph that differs from a ViT (Relu MLPs) while holding the same weights
     * @param namedBiases       biases keep their timm names (as torch.onnx.export does); otherwise onnx::Add_N
     * @param layerNormOp       opset 17 LayerNormalization nodes instead of the decomposition
     * @param float16           weights stored as FLOAT16, each cast to FLOAT where the graph reads it (a model whose
     *                          weights were halved for storage; the graph computes in float32)
     * @param staticBatch       the input's batch dimension, 0 for a dynamic one; shapes in Reshape nodes use it
     * @param dynamicShapes     torch's dynamic-batch patterns: flatten through Shape/Slice/Concat/Reshape, the CLS
     *                          token through Shape/Gather/Unsqueeze/Concat/Equal/Where/ConstantOfShape/Expand, and
     *                          qkv.unbind(0) as Split + Squeeze
     */
    record Options(boolean reluInsteadOfGelu, boolean namedBiases, boolean layerNormOp, boolean float16,
                   int staticBatch, boolean dynamicShapes) {
        static final Options TORCH = new Options(false, true, false, false, 0, false);
    }

    private final VitConfig c;
    private final Options o;
    private final Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName("timm_vit");
    private int counter;

    private OnnxVitFixture(VitConfig c, Options o) {
        this.c = c;
        this.o = o;
    }

    /** Writes the model; {@code head} null gives a graph whose output is the CLS feature. */
    static Path write(Path file, VitWeights w, ClassifierHead head, Options options) throws IOException {
        Onnx.ModelProto model = new OnnxVitFixture(w.config(), options).build(w, head);
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
        return file;
    }

    private Onnx.ModelProto build(VitWeights w, ClassifierHead head) {
        int d = c.dim();
        int t = c.numTokens();
        g.addInput(valueInfo("input", o.staticBatch(), c.channels(), c.imageSize(), c.imageSize()));
        for (String name : new String[]{TimmVitLayout.CLS_TOKEN, TimmVitLayout.POS_EMBED, TimmVitLayout.PATCH_WEIGHT,
                TimmVitLayout.PATCH_BIAS}) {
            g.addInitializer(weight(name, w.get(name)));
        }
        String x = node("Conv", new String[]{"input", TimmVitLayout.PATCH_WEIGHT, TimmVitLayout.PATCH_BIAS},
                Onnx.AttributeProto.newBuilder().setName("kernel_shape").setType(Onnx.AttributeProto.AttributeType.INTS)
                        .addInts(c.patchSize()).addInts(c.patchSize()).build(),
                Onnx.AttributeProto.newBuilder().setName("strides").setType(Onnx.AttributeProto.AttributeType.INTS)
                        .addInts(c.patchSize()).addInts(c.patchSize()).build());
        String cls;
        if (o.dynamicShapes()) {
            // x.flatten(2): Reshape to Concat(Shape(x)[0:2], [-1]).
            String shape = node("Shape", new String[]{x});
            String lead = node("Slice", new String[]{shape, longs(0), longs(2), longs(0)});
            x = node("Reshape", new String[]{x, node("Concat", new String[]{lead, longs(-1)}, intAttr("axis", 0))});
            x = node("Transpose", new String[]{x}, perm(0, 2, 1));
            // cls_token.expand(B, -1, -1): torch replaces the -1s through Equal/Where before Expand.
            String b = node("Unsqueeze", new String[]{node("Gather", new String[]{node("Shape", new String[]{x}),
                    longScalar(0)}, intAttr("axis", 0)), longs(0)});
            String target = node("Concat", new String[]{b, longs(-1, -1)}, intAttr("axis", 0));
            String minusOne = node("Mul", new String[]{node("ConstantOfShape", new String[]{longs(3)},
                    Onnx.AttributeProto.newBuilder().setName("value").setType(Onnx.AttributeProto.AttributeType.TENSOR)
                            .setT(Onnx.TensorProto.newBuilder().addDims(1)
                                    .setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addInt64Data(1)).build()),
                    longs(-1)});
            String isFree = node("Equal", new String[]{target, minusOne});
            String sizes = node("Where", new String[]{isFree, longs(1, 1, 1), target});
            cls = node("Expand", new String[]{TimmVitLayout.CLS_TOKEN, sizes});
        } else {
            x = node("Reshape", new String[]{x, longs(batch(), d, c.numPatches())});
            x = node("Transpose", new String[]{x}, perm(0, 2, 1));
            // A zeroed first token plus the CLS token: another way to keep the batch dynamic.
            String first = node("Slice", new String[]{x, longs(0), longs(1), longs(1)});
            cls = node("Add", new String[]{node("Mul", new String[]{first, scalar(0f)}), TimmVitLayout.CLS_TOKEN});
        }
        x = node("Concat", new String[]{cls, x}, intAttr("axis", 1));
        x = node("Add", new String[]{x, TimmVitLayout.POS_EMBED});
        for (int i = 0; i < c.depth(); i++) {
            x = block(w, i, x, t);
        }
        x = layerNorm(w, x, TimmVitLayout.NORM_WEIGHT, TimmVitLayout.NORM_BIAS);
        x = node("Gather", new String[]{x, longScalar(0)}, intAttr("axis", 1));
        if (head != null) {
            g.addInitializer(weight(ClassifierHead.WEIGHT, head.weight()));
            g.addInitializer(weight(ClassifierHead.BIAS, head.bias()));
            x = node("Gemm", new String[]{x, ClassifierHead.WEIGHT, ClassifierHead.BIAS},
                    Onnx.AttributeProto.newBuilder().setName("transB").setType(Onnx.AttributeProto.AttributeType.INT)
                            .setI(1).build());
        }
        g.addNode(Onnx.NodeProto.newBuilder().setOpType("Identity").setName("out").addInput(x).addOutput("output"));
        g.addOutput(valueInfo("output", o.staticBatch(), head == null ? c.dim() : head.numClasses()));
        if (o.float16()) {
            castHalvesToFloat();
        }
        return Onnx.ModelProto.newBuilder().setIrVersion(7).setProducerName("pytorch")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(o.layerNormOp() ? 17 : 13))
                .setGraph(g).build();
    }

    /**
     * A Cast to FLOAT after every FLOAT16 initializer, read by the nodes in its place: ONNX's type rules forbid float32
     * activations meeting float16 weights in one op.
     */
    private void castHalvesToFloat() {
        java.util.Map<String, String> cast = new java.util.HashMap<>();
        java.util.List<Onnx.NodeProto> nodes = new java.util.ArrayList<>();
        for (Onnx.TensorProto t : g.getInitializerList()) {
            if (t.getDataType() == Onnx.TensorProto.DataType.FLOAT16_VALUE) {
                cast.put(t.getName(), t.getName() + "_to_float");
                nodes.add(Onnx.NodeProto.newBuilder().setOpType("Cast").setName("Cast_" + counter++)
                        .addInput(t.getName()).addOutput(t.getName() + "_to_float")
                        .addAttribute(intAttr("to", Onnx.TensorProto.DataType.FLOAT_VALUE)).build());
            }
        }
        for (Onnx.NodeProto n : g.getNodeList()) {
            Onnx.NodeProto.Builder b = n.toBuilder().clearInput();
            n.getInputList().forEach(in -> b.addInput(cast.getOrDefault(in, in)));
            nodes.add(b.build());
        }
        g.clearNode().addAllNode(nodes);
    }

    private String block(VitWeights w, int i, String x, int t) {
        int d = c.dim();
        String a = layerNorm(w, x, TimmVitLayout.block(i, "norm1.weight"), TimmVitLayout.block(i, "norm1.bias"));
        String qkv = linear(w, a, TimmVitLayout.block(i, "attn.qkv"));
        qkv = node("Reshape", new String[]{qkv, longs(batch(), t, 3, c.heads(), c.headDim())});
        qkv = node("Transpose", new String[]{qkv}, perm(2, 0, 3, 1, 4));
        String q;
        String k;
        String v;
        if (o.dynamicShapes()) {
            String split = "Split_" + counter++;
            g.addNode(Onnx.NodeProto.newBuilder().setOpType("Split").setName(split).addInput(qkv)
                    .addInput(longs(1, 1, 1)).addOutput(split + "_q").addOutput(split + "_k").addOutput(split + "_v")
                    .addAttribute(intAttr("axis", 0)));
            q = node("Squeeze", new String[]{split + "_q", longs(0)});
            k = node("Squeeze", new String[]{split + "_k", longs(0)});
            v = node("Squeeze", new String[]{split + "_v", longs(0)});
        } else {
            q = node("Gather", new String[]{qkv, longScalar(0)}, intAttr("axis", 0));
            k = node("Gather", new String[]{qkv, longScalar(1)}, intAttr("axis", 0));
            v = node("Gather", new String[]{qkv, longScalar(2)}, intAttr("axis", 0));
        }
        q = node("Mul", new String[]{q, scalar((float) (1 / Math.sqrt(c.headDim())))});
        String scores = node("MatMul", new String[]{q, node("Transpose", new String[]{k}, perm(0, 1, 3, 2))});
        String attn = node("Softmax", new String[]{scores}, intAttr("axis", -1));
        String heads = node("MatMul", new String[]{attn, v});
        heads = node("Transpose", new String[]{heads}, perm(0, 2, 1, 3));
        heads = node("Reshape", new String[]{heads, longs(batch(), t, d)});
        x = node("Add", new String[]{x, linear(w, heads, TimmVitLayout.block(i, "attn.proj"))});
        String m = layerNorm(w, x, TimmVitLayout.block(i, "norm2.weight"), TimmVitLayout.block(i, "norm2.bias"));
        String hidden = linear(w, m, TimmVitLayout.block(i, "mlp.fc1"));
        hidden = o.reluInsteadOfGelu() ? node("Relu", new String[]{hidden}) : gelu(hidden);
        return node("Add", new String[]{x, linear(w, hidden, TimmVitLayout.block(i, "mlp.fc2"))});
    }

    /** {@code x W^T + b} as torch exports it: W^T folded into an unnamed [in, out] initializer. */
    private String linear(VitWeights w, String x, String prefix) {
        String weight = "onnx::MatMul_" + (1000 + counter++);
        String bias = o.namedBiases() ? prefix + ".bias" : "onnx::Add_" + (1000 + counter++);
        g.addInitializer(weight(weight, w.get(prefix + ".weight").transpose()));
        g.addInitializer(weight(bias, w.get(prefix + ".bias")));
        return node("Add", new String[]{node("MatMul", new String[]{x, weight}), bias});
    }

    /** The batch dimension in Reshape targets: baked in by a static export, -1 otherwise. */
    private long batch() {
        return o.staticBatch() > 0 ? o.staticBatch() : -1;
    }

    private Onnx.TensorProto weight(String name, INDArray a) {
        return o.float16() ? half(name, a) : tensor(name, a);
    }

    private String layerNorm(VitWeights w, String x, String gain, String bias) {
        g.addInitializer(weight(gain, w.get(gain)));
        g.addInitializer(weight(bias, w.get(bias)));
        if (o.layerNormOp()) {
            return node("LayerNormalization", new String[]{x, gain, bias}, intAttr("axis", -1),
                    Onnx.AttributeProto.newBuilder().setName("epsilon").setType(Onnx.AttributeProto.AttributeType.FLOAT)
                            .setF((float) c.layerNormEps()).build());
        }
        Onnx.AttributeProto lastAxis = Onnx.AttributeProto.newBuilder().setName("axes")
                .setType(Onnx.AttributeProto.AttributeType.INTS).addInts(-1).build();
        String centered = node("Sub", new String[]{x, node("ReduceMean", new String[]{x}, lastAxis)});
        String variance = node("ReduceMean", new String[]{node("Pow", new String[]{centered, scalar(2f)})}, lastAxis);
        String std = node("Sqrt", new String[]{node("Add", new String[]{variance,
                scalar((float) c.layerNormEps())})});
        return node("Add", new String[]{node("Mul", new String[]{node("Div", new String[]{centered, std}), gain}),
                bias});
    }

    private String gelu(String x) {
        String erf = node("Erf", new String[]{node("Div", new String[]{x, scalar((float) Math.sqrt(2))})});
        return node("Mul", new String[]{node("Mul", new String[]{x, node("Add", new String[]{erf, scalar(1f)})}),
                scalar(0.5f)});
    }

    private String node(String op, String[] inputs, Onnx.AttributeProto... attributes) {
        String out = op + "_" + counter++;
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(out);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (Onnx.AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        g.addNode(n.addOutput(out));
        return out;
    }

    private static Onnx.AttributeProto intAttr(String name, long value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    private static Onnx.AttributeProto perm(long... axes) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName("perm")
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long axis : axes) {
            a.addInts(axis);
        }
        return a.build();
    }

    /** A constant INT64 vector initializer; returns its name. */
    private String longs(long... values) {
        String name = "onnx::Constant_" + counter++;
        ByteBuffer b = littleEndian(8 * values.length);
        for (long v : values) {
            b.putLong(v);
        }
        return constant(name, raw(Onnx.TensorProto.DataType.INT64_VALUE, b, values.length).build());
    }

    /** A Constant node, as torch emits for shapes and indices; returns its output name. */
    private String constant(String name, Onnx.TensorProto value) {
        g.addNode(Onnx.NodeProto.newBuilder().setOpType("Constant").setName(name).addOutput(name)
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("value")
                        .setType(Onnx.AttributeProto.AttributeType.TENSOR).setT(value)));
        return name;
    }

    private String longScalar(long value) {
        String name = "onnx::Gather_" + counter++;
        return constant(name, raw(Onnx.TensorProto.DataType.INT64_VALUE, littleEndian(8).putLong(value)).build());
    }

    private String scalar(float value) {
        String name = "onnx::Scalar_" + counter++;
        return constant(name, raw(Onnx.TensorProto.DataType.FLOAT_VALUE, littleEndian(4).putFloat(value)).build());
    }

    /** A FLOAT initializer with little-endian raw data, as torch writes them. */
    static Onnx.TensorProto tensor(String name, INDArray a) {
        float[] v = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
        ByteBuffer b = littleEndian(4 * v.length);
        for (float f : v) {
            b.putFloat(f);
        }
        return raw(Onnx.TensorProto.DataType.FLOAT_VALUE, b, a.shape()).setName(name).build();
    }

    /** A FLOAT16 initializer (raw little-endian halves). */
    static Onnx.TensorProto half(String name, INDArray a) {
        INDArray h = a.castTo(DataType.FLOAT16).dup('c');
        ByteBuffer b = littleEndian(2 * (int) h.length());
        ByteBuffer src = h.data().asNio().order(ByteOrder.nativeOrder());
        for (int i = 0; i < h.length(); i++) {
            b.putShort(src.getShort(2 * i));
        }
        return raw(Onnx.TensorProto.DataType.FLOAT16_VALUE, b, a.shape()).setName(name).build();
    }

    private static ByteBuffer littleEndian(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A tensor of {@code dataType} whose raw data are the bytes put into {@code data} so far, as torch writes them. */
    private static Onnx.TensorProto.Builder raw(int dataType, ByteBuffer data, long... dims) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setDataType(dataType)
                .setRawData(ByteString.copyFrom(data.flip()));
        for (long dim : dims) {
            t.addDims(dim);
        }
        return t;
    }

    private static Onnx.ValueInfoProto valueInfo(String name, int batch, long... dims) {
        Onnx.TensorShapeProto.Dimension.Builder first = Onnx.TensorShapeProto.Dimension.newBuilder();
        if (batch > 0) {
            first.setDimValue(batch);
        } else {
            first.setDimParam("batch");
        }
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder().addDim(first);
        for (long dim : dims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(dim));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
                Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape))).build();
    }
}
