package org.elasticsearch.node;

import java.util.Collection;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

/**
 * A real Elasticsearch node with plugins given as classes (no plugin directory). It lives in Elasticsearch's
 * package because the node construction hooks it needs are package-private; the test framework's MockNode
 * does the same but refuses to run as root, which is how this machine runs.
 */
public final class X0EmbeddedNode extends Node {
    public X0EmbeddedNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
        super(NodeConstruction.prepareConstruction(environment, null, new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment env, PluginsLoader loader) {
                return new MockPluginsService(env.settings(), env, plugins);
            }
        }, true));
    }
}
