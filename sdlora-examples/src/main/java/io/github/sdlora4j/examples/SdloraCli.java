package io.github.sdlora4j.examples;

import io.github.sdlora4j.Backend;
import io.github.sdlora4j.learner.NonFiniteLossException;
import io.github.sdlora4j.learner.TrainingEngine;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/**
 * The {@code sdlora} command: runs the class-incremental protocol from a configuration and works with its outputs.
 * Exit codes: 0 success, 1 error (bad input, I/O), 2 usage error, 3 training stopped inside a task (the loss or
 * the parameters became NaN/Inf, or a step failed); the message names seed, task, epoch and step.
 */
@Command(name = "sdlora", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        description = "SD-LoRA class-incremental learning on Deeplearning4j.",
        footer = {"", "The ./sdlora launcher also runs 'sdlora bench ...' (the benchmarks module's BenchmarkSuite).",
                "Exit codes: 0 ok, 1 error, 2 usage, 3 training stopped inside a task (NaN/Inf or a failing step)."},
        subcommands = {DemoCommand.class, RunCommand.class, CompareCommand.class, PredictCommand.class,
                ExportCommand.class, PretrainCommand.class})
public final class SdloraCli implements Runnable {

    /** Exit code when training stopped inside a task (non-finite loss or parameters, or a failing step). */
    public static final int EXIT_TRAINING_STOPPED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }

    /** Builds the command line with error handling: one clear message, no stack trace (unless --stacktrace env). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SdloraCli());
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            if (System.getenv("SDLORA_STACKTRACE") != null) {
                e.printStackTrace();
            }
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            line.getErr().println("sdlora " + line.getCommandName() + ": " + message);
            boolean stopped = e instanceof NonFiniteLossException || e instanceof TrainingStoppedException;
            return stopped ? EXIT_TRAINING_STOPPED : 1;
        });
        cl.setExecutionStrategy(SdloraCli::checkBackendThenRun);
        return cl;
    }

    /**
     * Runs help and version requests as usual; any subcommand first checks that ND4J's backend can run here, so an
     * unsupported GPU is an error message before ND4J's CUDA backend starts (and can fail in native code), and that
     * the training engine asked for can run.
     */
    private static int checkBackendThenRun(CommandLine.ParseResult parseResult) {
        Integer help = CommandLine.executeHelpRequest(parseResult);
        if (help != null) {
            return help;
        }
        List<CommandLine> commands = parseResult.asCommandLineList();
        CommandLine last = commands.get(commands.size() - 1);
        if (last.getCommand() != null && !(last.getCommand() instanceof SdloraCli)) {
            try {
                Backend.checkSupported();
                TrainingEngine.selected(DataType.FLOAT); // a bad -Dsdlora.engine fails here, not mid-run
            } catch (IllegalStateException | IllegalArgumentException e) {
                throw new CommandLine.ExecutionException(last, e.getMessage(), e);
            }
        }
        return new CommandLine.RunLast().execute(parseResult);
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }
}
