package io.x0tta6bl4.exporter.bpf;

import com.sun.jna.Library;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/** The part of libbpf 1.x ({@code libbpf.so.1}) the exporter uses. Errors come back as negative errno or NULL + errno. */
interface LibBpf extends Library {
    Pointer bpf_object__open_mem(Pointer buffer, NativeLong size, Pointer options);

    int bpf_object__load(Pointer object);

    void bpf_object__close(Pointer object);

    Pointer bpf_object__next_program(Pointer object, Pointer previous);

    String bpf_program__name(Pointer program);

    Pointer bpf_program__attach(Pointer program);

    int bpf_program__fd(Pointer program);

    int bpf_link__destroy(Pointer link);

    Pointer bpf_object__find_map_by_name(Pointer object, String name);

    int bpf_map__fd(Pointer map);

    int bpf_map_lookup_elem(int fd, Pointer key, Pointer value);

    int bpf_map_get_next_key(int fd, Pointer key, Pointer nextKey);

    int bpf_map_lookup_batch(int fd, Pointer inBatch, Pointer outBatch, Pointer keys, Pointer values, Pointer count, Pointer options);

    int libbpf_num_possible_cpus();

    int libbpf_strerror(int error, byte[] buffer, NativeLong size);
}
