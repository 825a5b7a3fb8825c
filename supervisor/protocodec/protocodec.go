// Package protocodec carries typed tasks' inputs and outputs as protocol
// buffers: a supervisor.Codec for any generated message type.
//
//	var Resize = supervisor.DefineWith("resize", resize,
//		protocodec.For[*imagepb.Image](), protocodec.For[*imagepb.Thumb]())
package protocodec

import (
	"google.golang.org/protobuf/proto"

	"github.com/procpool/supervisor/supervisor"
)

// For returns the codec of the message type T, a pointer to a generated
// message such as *imagepb.Image.
func For[T proto.Message]() supervisor.Codec[T] { return codec[T]{} }

type codec[T proto.Message] struct{}

func (codec[T]) Encode(v T) ([]byte, error) { return proto.Marshal(v) }

func (codec[T]) Decode(b []byte) (T, error) {
	var zero T
	v := zero.ProtoReflect().Type().New().Interface().(T)
	err := proto.Unmarshal(b, v)
	return v, err
}
