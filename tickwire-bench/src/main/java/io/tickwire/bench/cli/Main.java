package io.tickwire.bench.cli;

import io.tickwire.bench.connections.ConnectionsCommand;
import io.tickwire.bench.fanout.FanoutCommand;
import io.tickwire.bench.storm.StormCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar tickwire-bench.jar <subcommand>}: load generators to run against a gateway. */
@Command(name = "tickwire-bench", mixinStandardHelpOptions = true,
        description = "Load generator for a running Tickwire gateway.",
        subcommands = {FanoutCommand.class, ConnectionsCommand.class, StormCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
