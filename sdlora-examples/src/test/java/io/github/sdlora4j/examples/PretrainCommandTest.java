package io.github.sdlora4j.examples;

import com.fasterxml.jackson.core.type.TypeReference;
import io.github.sdlora4j.io.PretrainCheckpoint;
import io.github.sdlora4j.io.SafetensorsDtype;
import io.github.sdlora4j.io.SafetensorsFile;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sdlora pretrain} killed (SIGKILL) after a checkpoint and continued with {@code --resume} writes the same
 * backbone, bit for bit, as an uninterrupted run; its checkpoint is guarded against restarts, other settings and
 * damage; {@code --dtype f16} halves the file.
 */
class PretrainCommandTest {

    /** A ViT of 2 blocks at 16x16 on 4 classes: 64 images, 8 steps an epoch, 48 in all, milestone at epoch 4. */
    private static final List<String> TINY = List.of("--image-size", "16", "--patch", "4", "--dim", "32", "--depth",
            "2", "--heads", "2", "--mlp", "64", "--classes", "4", "--benchmark-classes", "10", "--train-per-class",
            "16", "--epochs", "6", "--batch-size", "8", "--lr", "3e-3", "--seed", "3");

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int pretrain(Path out, List<String> options, String... more) {
        List<String> args = new ArrayList<>(List.of("pretrain", "--out", out.toString()));
        args.addAll(options);
        args.addAll(List.of(more));
        var cl = SdloraCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args.toArray(new String[0]));
    }

    @Test
    void killedPretrainingResumesToTheSameBackboneAndGuardsItsCheckpoint() throws Exception {
        Path straight = dir.resolve("straight.safetensors");
        assertEquals(0, pretrain(straight, TINY, "--checkpoint-every-minutes", "0"), err.toString());
        assertFalse(Files.exists(PretrainCommand.checkpointFile(straight)), "the checkpoint goes once the file is written");

        Path killed = dir.resolve("killed.safetensors");
        Path ckpt = PretrainCommand.checkpointFile(killed);
        assertEquals(dir.resolve("killed.ckpt.safetensors"), ckpt);
        Process child = startChild(killed, "--checkpoint-every-steps", "1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (checkpointStep(ckpt) < 3) {
            assertTrue(child.isAlive(), "the child ended before it could be killed: " + childLog());
            assertTrue(System.nanoTime() < deadline, "the child wrote no checkpoint in time");
            Thread.sleep(5);
        }
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(killed), "the child finished before the kill");
        int stepAtKill = PretrainCheckpoint.load(ckpt).snapshot().position().iteration();
        assertTrue(stepAtKill >= 3 && stepAtKill < 48, "killed at step " + stepAtKill);
        byte[] saved = Files.readAllBytes(ckpt);

        // Starting over would lose the checkpoint: refused.
        assertEquals(1, pretrain(killed, TINY));
        assertTrue(err.toString().contains(ckpt + " holds an unfinished pretraining") && err.toString().contains(
                "pass --resume"), err.toString());
        // Other settings than the checkpoint's: refused, naming the file and each difference.
        assertEquals(1, pretrain(killed, List.of("--resume", "--dim", "64", "--epochs", "6", "--lr", "0.01")));
        assertTrue(err.toString().contains(ckpt + " was written with other settings: dim 32 in checkpoint, --dim 64"
                + " given; lr 0.003 in checkpoint, --lr 0.01 given"), err.toString());
        assertArrayEquals(saved, Files.readAllBytes(ckpt), "a refused start changes nothing");
        assertFalse(Files.exists(killed));
        // A truncated checkpoint, and none at all.
        Path damaged = dir.resolve("damaged.safetensors");
        Files.write(PretrainCommand.checkpointFile(damaged), Arrays.copyOf(saved, saved.length - 100));
        assertEquals(1, pretrain(damaged, List.of("--resume")));
        assertTrue(err.toString().contains(PretrainCommand.checkpointFile(damaged).toString()), err.toString());
        assertFalse(Files.exists(damaged));
        assertEquals(1, pretrain(dir.resolve("none.safetensors"), List.of("--resume")));
        assertTrue(err.toString().contains("there is no checkpoint " + dir.resolve("none.ckpt.safetensors")),
                err.toString());

        // Options left out come from the checkpoint; those given agree with it.
        assertEquals(0, pretrain(killed, List.of("--resume", "--seed", "3", "--checkpoint-every-steps", "5")),
                err.toString());
        assertFalse(Files.exists(ckpt));
        VitWeights a = BackboneFiles.read(straight, null, "straight");
        VitWeights b = BackboneFiles.read(killed, null, "killed");
        for (Map.Entry<String, INDArray> e : a.tensors().entrySet()) {
            assertArrayEquals(e.getValue().data().asFloat(), b.get(e.getKey()).data().asFloat(), e.getKey());
        }
        try (SafetensorsFile in = SafetensorsFile.open(killed)) {
            List<String> commands = ConfigLoader.JSON.readValue(in.metadata().get(PretrainRecord.KEY_COMMANDS),
                    new TypeReference<List<String>>() { });
            assertEquals(2, commands.size(), commands.toString());
            assertTrue(commands.get(0).startsWith("sdlora pretrain --out " + killed + " --image-size 16")
                    && commands.get(0).endsWith("--checkpoint-every-steps 1"), commands.toString());
            assertEquals("sdlora pretrain --out " + killed + " --resume --seed 3 --checkpoint-every-steps 5",
                    commands.get(1));
            assertEquals(PretrainSettings.fromJson(in.metadata().get(PretrainRecord.KEY_SETTINGS)).dim(), 32);
            assertTrue(in.metadata().get(PretrainRecord.KEY_SUMMARY).contains("seed=3"));
        }
    }

    @Test
    void halfPrecisionBackboneIsHalfTheSizeAndLoadsAsFloat32() throws Exception {
        List<String> oneEpoch = new ArrayList<>(TINY);
        oneEpoch.set(oneEpoch.indexOf("--epochs") + 1, "1");
        Path full = dir.resolve("f32.safetensors");
        Path half = dir.resolve("f16.safetensors");
        assertEquals(0, pretrain(full, oneEpoch), err.toString());
        assertEquals(0, pretrain(half, oneEpoch, "--dtype", "f16"), err.toString());
        assertTrue(Files.size(half) < 0.6 * Files.size(full), Files.size(half) + " vs " + Files.size(full));
        try (SafetensorsFile in = SafetensorsFile.open(half)) {
            for (String name : in.names()) {
                assertEquals(SafetensorsDtype.F16.name(), in.info(name).dtype(), name);
            }
        }
        VitWeights f32 = BackboneFiles.read(full, null, "f32");
        VitWeights f16 = BackboneFiles.read(half, null, "f16");
        for (Map.Entry<String, INDArray> e : f32.tensors().entrySet()) {
            INDArray loaded = f16.get(e.getKey());
            assertEquals(DataType.FLOAT, loaded.dataType());
            assertArrayEquals(e.getValue().castTo(DataType.FLOAT16).castTo(DataType.FLOAT).data().asFloat(),
                    loaded.data().asFloat(), e.getKey());
        }
    }

    @Test
    void badOptionsFailBeforeTraining() {
        assertEquals(2, pretrain(dir.resolve("a.safetensors"), TINY, "--epochs", "0"));
        assertEquals(2, pretrain(dir.resolve("a.safetensors"), TINY, "--dtype", "bf8"));
        assertTrue(err.toString().contains("--dtype must be f32 or f16"), err.toString());
        assertEquals(2, pretrain(dir.resolve("a.safetensors"), TINY, "--heads", "5"));
        assertEquals(1, pretrain(dir.resolve("missing/a.safetensors"), TINY));
        assertTrue(err.toString().contains("does not exist"), err.toString());
        assertFalse(Files.exists(dir.resolve("a.safetensors")));
    }

    private static int checkpointStep(Path ckpt) {
        try {
            return Files.exists(ckpt) ? PretrainCheckpoint.load(ckpt).snapshot().position().iteration() : -1;
        } catch (Exception e) {
            return -1; // replaced while being read: try again
        }
    }

    private Process startChild(Path out, String... more) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(SdloraCli.class.getName());
        cmd.addAll(List.of("pretrain", "--out", out.toString()));
        cmd.addAll(TINY);
        cmd.addAll(List.of(more));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }

    private String childLog() {
        try {
            return Files.readString(dir.resolve("child.log"));
        } catch (Exception e) {
            return "(no log)";
        }
    }
}
