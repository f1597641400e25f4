package io.aerodb.ratis.sim;

import java.lang.reflect.Proxy;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

/**
 * The only part of a Ratis server the state machine touches outside a running cluster: its id
 * ({@code BaseStateMachine.initialize} keeps the server; its log lines name the id). Every other
 * call fails loudly, so the simulation can never lean on a server it does not have.
 */
final class SimulatedRaftServer {
  private SimulatedRaftServer() {}

  static RaftServer of(RaftPeerId id) {
    return (RaftServer)
        Proxy.newProxyInstance(
            RaftServer.class.getClassLoader(),
            new Class<?>[] {RaftServer.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getId" -> id;
                  case "toString" -> "SimulatedRaftServer(" + id + ")";
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default ->
                      throw new UnsupportedOperationException(
                          "the simulation has no Raft server: " + method.getName());
                });
  }
}
